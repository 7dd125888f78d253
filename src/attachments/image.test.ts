import { decode, encode } from 'bmp-ts';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkImage, ImageRejected, MAX_ATTACHMENT_BYTES } from './image.ts';

// Fixtures are made here, in code, so every case shows how its file was put together.

type Rgb = readonly [number, number, number];
const RED: Rgb = [220, 30, 30];
const BLUE: Rgb = [30, 30, 220];

/** Left half one colour, right half another: turning the image shows in its pixels. */
function halves(width: number, height: number, left: Rgb, right: Rgb): Buffer {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      raw.set(x < width / 2 ? left : right, (y * width + x) * 3);
    }
  }
  return raw;
}

/** Deterministic noise, which JPEG cannot compress: how to make a big file quickly. */
function noise(width: number, height: number): Buffer {
  const raw = Buffer.alloc(width * height * 3);
  let s = 7;
  for (let i = 0; i < raw.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    raw[i] = s & 0xff;
  }
  return raw;
}

const rawInput = (width: number, height: number) => ({ raw: { width, height, channels: 3 as const } });

function jpeg(raw: Buffer, width: number, height: number, quality = 90): Promise<Buffer> {
  return sharp(raw, rawInput(width, height)).jpeg({ quality }).toBuffer();
}

/** A 24-bit BMP written by bmp-ts, which takes its pixels as ABGR. */
function bmp24(width: number, height: number, left: Rgb, right: Rgb): Buffer {
  const abgr = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = x < width / 2 ? left : right;
      abgr.set([0, b, g, r], (y * width + x) * 4);
    }
  }
  return encode({ data: abgr, width, height, bitPP: 24 }).data;
}

/** An 8-bit palette BMP by hand, with a 124-byte V5 header and junk after the pixels. */
function bmp8WithTrailer(width: number, height: number, trailer: Buffer): Buffer {
  const stride = Math.ceil(width / 4) * 4;
  const palette = [RED, BLUE];
  const offset = 14 + 124 + palette.length * 4;
  const out = Buffer.alloc(offset + stride * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(124, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(8, 28);
  out.writeUInt32LE(palette.length, 46);
  palette.forEach(([r, g, b], i) => out.set([b, g, r, 0], 14 + 124 + i * 4));
  for (let row = 0; row < height; row++) {
    for (let x = 0; x < width; x++) out[offset + row * stride + x] = x < width / 2 ? 0 : 1;
  }
  return Buffer.concat([out, trailer]);
}

/** The smallest PDF a reader opens: one empty page, cross-reference offsets computed. */
function minimalPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) body += `${String(o).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A JPEG COM segment right after SOI: sharp cannot write one, so it goes in by hand. */
function withJpegComment(jpg: Buffer, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const segment = Buffer.alloc(4 + payload.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(payload.length + 2, 2);
  payload.copy(segment, 4);
  return Buffer.concat([jpg.subarray(0, 2), segment, jpg.subarray(2)]);
}

async function rgbAt(image: Buffer, x: number, y: number): Promise<Rgb> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i] ?? -1, data[i + 1] ?? -1, data[i + 2] ?? -1];
}

function expectClose(actual: Rgb, expected: Rgb): void {
  actual.forEach((v, i) => expect(Math.abs(v - (expected[i] ?? 0))).toBeLessThan(24));
}

async function rejection(input: Buffer, name?: string): Promise<ImageRejected> {
  const err: unknown = await checkImage(input, name).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ImageRejected)) throw new Error(`expected a refusal, got ${String(err)}`);
  return err;
}

describe('checkImage accepts the three formats the manual names', () => {
  it('takes a JPEG and stores a JPEG of the same size', async () => {
    const result = await checkImage(await jpeg(halves(400, 300, RED, BLUE), 400, 300), 'license.jpg');
    expect(result).toMatchObject({ type: 'image/jpeg', extension: 'jpg', width: 400, height: 300 });
    expect((await sharp(result.data).metadata()).format).toBe('jpeg');
  });

  it('takes a PNG, keeping its transparency', async () => {
    const png = await sharp({
      create: { width: 200, height: 150, channels: 4, background: { r: 0, g: 128, b: 0, alpha: 0.5 } },
    })
      .png()
      .toBuffer();
    const result = await checkImage(png);
    expect(result).toMatchObject({ type: 'image/png', extension: 'png', width: 200, height: 150 });
    const meta = await sharp(result.data).metadata();
    expect(meta.format).toBe('png');
    expect(meta.hasAlpha).toBe(true);
  });

  it('keeps a black-and-white PNG scan indexed, so it does not grow on re-encoding', async () => {
    const bw = await sharp(halves(1200, 1600, [0, 0, 0], [255, 255, 255]), rawInput(1200, 1600))
      .png({ palette: true, colours: 2 })
      .toBuffer();
    expect((await sharp(bw).metadata()).isPalette).toBe(true);
    const result = await checkImage(bw);
    const meta = await sharp(result.data).metadata();
    expect(meta.isPalette).toBe(true);
    expect(meta.bitsPerSample).toBe(1);
    expect(result.data.length).toBeLessThanOrEqual(bw.length * 2);
  });

  it('judges by content: a PNG named .jpg is stored as the PNG it is', async () => {
    const png = await sharp(halves(100, 100, RED, BLUE), rawInput(100, 100)).png().toBuffer();
    const result = await checkImage(png, 'scan.jpg');
    expect(result).toMatchObject({ type: 'image/png', extension: 'png' });
  });

  it('takes a 24-bit BMP and stores a BMP that decodes to the same picture', async () => {
    const result = await checkImage(bmp24(121, 80, RED, BLUE), 'id-card.bmp');
    expect(result).toMatchObject({ type: 'image/bmp', extension: 'bmp', width: 121, height: 80 });
    const stored = decode(result.data, { toRGBA: true });
    const pixel = (x: number, y: number): Rgb => {
      const i = (y * stored.width + x) * 4;
      return [stored.data[i] ?? -1, stored.data[i + 1] ?? -1, stored.data[i + 2] ?? -1];
    };
    expect(pixel(5, 40)).toEqual(RED);
    expect(pixel(115, 40)).toEqual(BLUE);
  });

  it('keeps an 8-bit BMP at 8 bits and drops its V5 header and appended bytes', async () => {
    const trailer = Buffer.from('PK\u0003\u0004 a zip riding along');
    const input = bmp8WithTrailer(200, 100, trailer);
    const result = await checkImage(input);
    expect(result).toMatchObject({ type: 'image/bmp', width: 200, height: 100 });
    expect(result.data.readUInt16LE(28)).toBe(8);
    expect(result.data.readUInt32LE(14)).toBe(40);
    expect(result.data.length).toBeLessThan(input.length);
    expect(result.data.includes(trailer)).toBe(false);
    const stored = decode(result.data);
    // bmp-ts answers in ABGR: byte 3 of a pixel is red.
    expect(stored.data[3]).toBe(RED[0]);
  });
});

describe('checkImage refuses, saying what is wrong and what to do', () => {
  it('an empty file', async () => {
    const err = await rejection(Buffer.alloc(0));
    expect(err.code).toBe('FILE_EMPTY');
    expect(err.message).toBe('文件为空，请重新选择');
  });

  it('a 1.5 MB JPEG, showing its size', async () => {
    const big = await jpeg(noise(1100, 1000), 1100, 1000, 100);
    expect(big.length).toBeGreaterThan(MAX_ATTACHMENT_BYTES * 1.4);
    const err = await rejection(big, 'big.jpg');
    expect(err.code).toBe('FILE_TOO_LARGE');
    expect(err.message).toBe('文件大小为1.5MB，超过1MB的限制，请压缩后重新上传');
  });

  it('a PDF renamed to .jpg, naming what it really is', async () => {
    const err = await rejection(minimalPdf(), 'x.jpg');
    expect(err.code).toBe('NOT_AN_IMAGE');
    expect(err.message).toBe(
      '该文件实际是PDF文档，不是图片（文件名为 x.jpg），请上传JPEG、PNG或BMP格式的图片',
    );
  });

  it('bytes that are no known format', async () => {
    const err = await rejection(Buffer.from('营业执照扫描件，但其实是一段文字'), 'scan.png');
    expect(err.code).toBe('NOT_AN_IMAGE');
    expect(err.message).toBe('无法识别的文件，请上传JPEG、PNG或BMP格式的图片');
  });

  it('a GIF', async () => {
    const gif = await sharp(halves(100, 100, RED, BLUE), rawInput(100, 100)).gif().toBuffer();
    const err = await rejection(gif, 'a.jpg');
    expect(err.code).toBe('UNSUPPORTED_IMAGE');
    expect(err.message).toBe('不支持GIF格式，请上传JPEG、PNG或BMP格式的图片');
  });

  it('a WebP', async () => {
    const webp = await sharp(halves(100, 100, RED, BLUE), rawInput(100, 100)).webp().toBuffer();
    expect((await rejection(webp)).message).toBe('不支持WebP格式，请上传JPEG、PNG或BMP格式的图片');
  });

  it('a JPEG cut in half', async () => {
    const whole = await jpeg(noise(300, 300), 300, 300);
    const err = await rejection(whole.subarray(0, whole.length >> 1));
    expect(err.code).toBe('IMAGE_CORRUPT');
    expect(err.message).toBe('图片已损坏或不完整，无法打开，请重新扫描或导出后上传');
  });

  it('a PNG with its last bytes removed, whether into the pixels or only its end marker', async () => {
    const whole = await sharp(noise(200, 200), rawInput(200, 200)).png().toBuffer();
    for (const cut of [100, 12]) {
      expect((await rejection(whole.subarray(0, whole.length - cut))).code).toBe('IMAGE_CORRUPT');
    }
  });

  it('a BMP whose pixels were cut off, or whose header is nonsense', async () => {
    const whole = bmp24(100, 100, RED, BLUE);
    expect((await rejection(whole.subarray(0, whole.length >> 1))).code).toBe('IMAGE_CORRUPT');
    const badDepth = Buffer.from(whole);
    badDepth.writeUInt16LE(7, 28);
    expect((await rejection(badDepth)).code).toBe('IMAGE_CORRUPT');
    const forgedSize = Buffer.from(whole);
    forgedSize.writeInt32LE(60_000, 18);
    expect((await rejection(forgedSize)).code).toBe('IMAGE_CORRUPT');
  });

  it('a run-length compressed BMP, which cannot be decoded faithfully', async () => {
    const rle = Buffer.from(bmp8WithTrailer(100, 100, Buffer.alloc(0)));
    rle.writeUInt32LE(1, 30);
    const err = await rejection(rle);
    expect(err.code).toBe('UNSUPPORTED_IMAGE');
    expect(err.message).toContain('另存为');
  });

  it('an image too small to read', async () => {
    const tiny = await jpeg(halves(30, 30, RED, BLUE), 30, 30);
    const err = await rejection(tiny);
    expect(err.code).toBe('IMAGE_TOO_SMALL');
    expect(err.message).toBe('图片尺寸为30×30像素，太小无法看清，请上传每边至少50像素的清晰图片');
  });

  it('a small file that would decode to a huge picture', async () => {
    const strip = await sharp({
      create: { width: 12_000, height: 60, channels: 3, background: '#ffffff' },
    })
      .png()
      .toBuffer();
    expect(strip.length).toBeLessThan(MAX_ATTACHMENT_BYTES);
    const err = await rejection(strip);
    expect(err.code).toBe('IMAGE_DIMENSIONS_TOO_LARGE');
    expect(err.message).toContain('12000×60像素');
  });
});

describe('what is stored carries nothing but the picture', () => {
  it('drops EXIF (GPS, camera), XMP and comments from a JPEG', async () => {
    const tagged = await sharp(halves(300, 200, RED, BLUE), rawInput(300, 200))
      .withExif({
        IFD0: { Make: 'SecretScannerCo', Copyright: 'Owner Name' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 2700/100' },
      })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="XmpAuthor"/></rdf:RDF></x:xmpmeta>')
      .jpeg()
      .toBuffer();
    const input = withJpegComment(tagged, 'HiddenComment');
    const before = await sharp(input).metadata();
    expect(before.exif).toBeDefined();
    expect(before.xmp).toBeDefined();

    const result = await checkImage(input);
    const after = await sharp(result.data).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(after.icc).toBeUndefined();
    for (const secret of ['SecretScannerCo', 'Owner Name', 'XmpAuthor', 'HiddenComment']) {
      expect(input.includes(secret)).toBe(true);
      expect(result.data.includes(secret)).toBe(false);
    }
  });

  it('drops text chunks from a PNG', async () => {
    const png = await sharp(halves(100, 100, RED, BLUE), rawInput(100, 100))
      .withExif({ IFD0: { Artist: 'PngArtist' } })
      .png()
      .toBuffer();
    expect(png.includes('PngArtist')).toBe(true);
    const result = await checkImage(png);
    expect(result.data.includes('PngArtist')).toBe(false);
    expect((await sharp(result.data).metadata()).exif).toBeUndefined();
  });

  it('turns a JPEG by its EXIF orientation, so it is stored as the person saw it', async () => {
    // Orientation 6: the camera held sideways; viewers turn it 90° clockwise, left edge to the top.
    const sideways = await sharp(halves(200, 100, RED, BLUE), rawInput(200, 100))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const result = await checkImage(sideways);
    expect(result).toMatchObject({ width: 100, height: 200 });
    expect((await sharp(result.data).metadata()).orientation).toBeUndefined();
    expectClose(await rgbAt(result.data, 50, 20), RED);
    expectClose(await rgbAt(result.data, 50, 180), BLUE);
  });

  it('leaves behind whatever was appended to a JPEG (a polyglot)', async () => {
    const payload = Buffer.from('PK\u0003\u0004 payload for another program');
    const input = Buffer.concat([await jpeg(halves(200, 200, RED, BLUE), 200, 200), payload]);
    const result = await checkImage(input);
    expect(result.data.includes(payload)).toBe(false);
  });

  it('never stores more than 1 MB: lowers the quality when re-encoding would grow the file', async () => {
    // Noise saved at quality 72 is under 1 MB but grows past it when saved again at 90.
    const input = await jpeg(noise(1300, 1300), 1300, 1300, 72);
    expect(input.length).toBeLessThanOrEqual(MAX_ATTACHMENT_BYTES);
    const result = await checkImage(input);
    expect(result.data.length).toBeLessThanOrEqual(MAX_ATTACHMENT_BYTES);
    expect(result).toMatchObject({ type: 'image/jpeg', width: 1300, height: 1300 });
  });
});
