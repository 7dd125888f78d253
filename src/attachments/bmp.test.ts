import { decode } from 'bmp-ts';
import { describe, expect, it } from 'vitest';
import { BmpInvalid, parseBmpHeader, rebuildBmp } from './bmp.ts';

// The BMP variants scanners and paint programs write, assembled byte by byte.

interface BmpSpec {
  infoSize: 40 | 108 | 124;
  width: number;
  /** negative: rows stored top-down */
  height: number;
  bpp: 1 | 8 | 16 | 24 | 32;
  compression?: 0 | 3;
  /** R, G, B, A; after a 40-byte header when compression is 3, else inside the header */
  masks?: readonly [number, number, number, number];
  palette?: readonly (readonly [number, number, number])[];
  /** bytes left unused between the header and the pixels */
  gap?: number;
  /** the bytes of row `y` as stored (before padding), y counted in storage order */
  row: (y: number) => number[];
}

function writeBmp(spec: BmpSpec): Buffer {
  const rows = Math.abs(spec.height);
  const stride = Math.floor((spec.bpp * spec.width + 31) / 32) * 4;
  const masksAfter = spec.infoSize === 40 && spec.compression === 3 ? 12 : 0;
  const paletteAt = 14 + spec.infoSize + masksAfter;
  const pixelsAt = paletteAt + (spec.palette?.length ?? 0) * 4 + (spec.gap ?? 0);
  const out = Buffer.alloc(pixelsAt + stride * rows);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(pixelsAt, 10);
  out.writeUInt32LE(spec.infoSize, 14);
  out.writeInt32LE(spec.width, 18);
  out.writeInt32LE(spec.height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(spec.bpp, 28);
  out.writeUInt32LE(spec.compression ?? 0, 30);
  out.writeUInt32LE(spec.palette?.length ?? 0, 46);
  if (spec.masks) {
    const count = spec.infoSize === 40 ? 3 : 4;
    spec.masks.slice(0, count).forEach((m, i) => out.writeUInt32LE(m, 54 + i * 4));
  }
  spec.palette?.forEach(([r, g, b], i) => out.set([b, g, r, 0], paletteAt + i * 4));
  for (let y = 0; y < rows; y++) out.set(spec.row(y), pixelsAt + y * stride);
  return out;
}

/** bmp-ts decodes to ABGR, top row first; answers R, G, B. */
function pixelOf(bmp: Buffer, x: number, y: number): [number, number, number] {
  const image = decode(bmp);
  const i = (y * image.width + x) * 4;
  return [image.data[i + 3] ?? -1, image.data[i + 2] ?? -1, image.data[i + 1] ?? -1];
}

function rebuilt(input: Buffer): Buffer {
  return rebuildBmp(input, parseBmpHeader(input));
}

describe('rebuildBmp keeps the picture and the bit depth of each variant', () => {
  it('1-bit black and white, width not a multiple of 8', () => {
    // Bottom-up: storage row 0 is the bottom row. Bits set = palette entry 1 = white.
    const input = writeBmp({
      infoSize: 40,
      width: 13,
      height: 4,
      bpp: 1,
      palette: [
        [0, 0, 0],
        [255, 255, 255],
      ],
      row: (y) => (y === 0 ? [0xff, 0xf8] : [0x00, 0x00]),
    });
    const out = rebuilt(input);
    expect(out.readUInt16LE(28)).toBe(1);
    expect(pixelOf(out, 12, 3)).toEqual([255, 255, 255]);
    expect(pixelOf(out, 12, 0)).toEqual([0, 0, 0]);
  });

  it('16-bit 5-6-5 with its masks after a 40-byte header', () => {
    const input = writeBmp({
      infoSize: 40,
      width: 3,
      height: 1,
      bpp: 16,
      compression: 3,
      masks: [0xf800, 0x07e0, 0x001f, 0],
      row: () => [0x00, 0xf8, 0xe0, 0x07, 0x1f, 0x00],
    });
    const out = rebuilt(input);
    expect(out.readUInt16LE(28)).toBe(16);
    expect(pixelOf(out, 0, 0)[0]).toBeGreaterThan(240);
    expect(pixelOf(out, 1, 0)[1]).toBeGreaterThan(240);
    expect(pixelOf(out, 2, 0)[2]).toBeGreaterThan(240);
  });

  it('32-bit with an alpha mask in a V5 header, rows top-down', () => {
    const input = writeBmp({
      infoSize: 124,
      width: 2,
      height: -2,
      bpp: 32,
      compression: 3,
      masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000],
      // storage row 0 is the top row: red, then blue below it
      row: (y) => (y === 0 ? [0, 0, 255, 255, 0, 0, 255, 255] : [255, 0, 0, 255, 255, 0, 0, 255]),
    });
    const out = rebuilt(input);
    expect(out.readUInt32LE(14)).toBe(108);
    expect(out.readInt32LE(22)).toBe(-2);
    expect(out.readUInt32LE(66)).toBe(0xff000000);
    expect(pixelOf(out, 0, 0)).toEqual([255, 0, 0]);
    expect(pixelOf(out, 1, 1)).toEqual([0, 0, 255]);
  });

  it('24-bit with unused bytes before the pixels: they are not carried over', () => {
    const input = writeBmp({
      infoSize: 40,
      width: 2,
      height: 1,
      bpp: 24,
      gap: 64,
      row: () => [0, 0, 255, 0, 255, 0],
    });
    const out = rebuilt(input);
    expect(out.length).toBe(54 + 8);
    expect(pixelOf(out, 0, 0)).toEqual([255, 0, 0]);
    expect(pixelOf(out, 1, 0)).toEqual([0, 255, 0]);
  });
});

describe('parseBmpHeader refuses what does not add up', () => {
  const valid = (): Buffer =>
    writeBmp({ infoSize: 40, width: 4, height: 4, bpp: 24, row: () => new Array(12).fill(9) });

  it.each<[string, (b: Buffer) => void]>([
    ['a declared file size beyond what arrived', (b) => b.writeUInt32LE(b.length + 1, 2)],
    ['pixels starting inside the header', (b) => b.writeUInt32LE(20, 10)],
    ['a width of zero', (b) => b.writeInt32LE(0, 18)],
    ['two planes', (b) => b.writeUInt16LE(2, 26)],
    ['bit fields on a 24-bit image', (b) => b.writeUInt32LE(3, 30)],
    ['an unknown compression', (b) => b.writeUInt32LE(9, 30)],
    ['an unknown header size', (b) => b.writeUInt32LE(41, 14)],
  ])('%s', (_, damage) => {
    const input = valid();
    damage(input);
    expect(() => parseBmpHeader(input)).toThrow(BmpInvalid);
  });

  it('a palette too short for the pixels that index it', () => {
    const input = writeBmp({
      infoSize: 40,
      width: 8,
      height: 1,
      bpp: 1,
      palette: [[0, 0, 0]],
      row: () => [0xff],
    });
    expect(() => rebuilt(input)).toThrow(BmpInvalid);
  });
});
