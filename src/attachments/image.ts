/**
 * Judges an uploaded scan by its bytes, never by its name, and returns what may be stored: the
 * manual accepts JPEG, PNG and BMP within 1 MB. Every accepted image is decoded in full and
 * re-encoded, so what we keep opens, carries no EXIF/XMP/comments (GPS positions, device
 * serials), and cannot double as another file type (a polyglot loses its payload on re-encoding).
 */
import { fileTypeFromBuffer } from 'file-type';
import sharp, { type Metadata, type OutputInfo, type PngOptions, type Sharp } from 'sharp';
import { BmpInvalid, parseBmpHeader, rebuildBmp } from './bmp.ts';

export const MAX_ATTACHMENT_BYTES = 1024 * 1024;
/** Each side; beyond it a small file can still be a decompression bomb. */
export const MAX_IMAGE_SIDE = 10_000;
/** A4 at 600 dpi is 35 MP; 50 MP keeps one decode under ~200 MB of memory. */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** Below this nothing on the scan is legible. */
export const MIN_IMAGE_SIDE = 50;

export type AcceptedImageType = 'image/jpeg' | 'image/png' | 'image/bmp';

export interface CheckedImage {
  type: AcceptedImageType;
  width: number;
  height: number;
  /** the bytes to store: re-encoded without metadata */
  data: Buffer;
  extension: 'jpg' | 'png' | 'bmp';
}

export class ImageRejected extends Error {
  constructor(
    readonly code: string,
    /** Chinese, for the user: what is wrong and what to do */
    message: string,
  ) {
    super(message);
    this.name = 'ImageRejected';
  }
}

const ACCEPTED = '请上传JPEG、PNG或BMP格式的图片';
const CORRUPT = '图片已损坏或不完整，无法打开，请重新扫描或导出后上传';
/** sharp's strictest level, which its authors advise for untrusted input. */
const FAIL_ON = 'warning';
/** Tried in turn until the re-encoded JPEG fits; below 50 text on a scan starts to smear. */
const JPEG_QUALITIES = [90, 80, 70, 60, 50] as const;

/** What people call the things they upload by mistake. */
const DOCUMENT_NAMES: Record<string, string> = {
  'application/pdf': 'PDF文档',
  'application/zip': 'ZIP压缩包',
  'application/x-rar-compressed': 'RAR压缩包',
  'application/vnd.rar': 'RAR压缩包',
  'application/x-7z-compressed': '7Z压缩包',
  'application/gzip': 'GZIP压缩包',
  'application/x-cfb': 'Office文档',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word文档',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel表格',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PowerPoint演示文稿',
  'application/rtf': 'RTF文档',
  'application/x-msdownload': '可执行程序',
  'application/x-elf': '可执行程序',
};

const IMAGE_FORMAT_NAMES: Record<string, string> = {
  gif: 'GIF',
  webp: 'WebP',
  tif: 'TIFF',
  heic: 'HEIC',
  avif: 'AVIF',
  jxl: 'JPEG XL',
  jp2: 'JPEG 2000',
  psd: 'PSD',
  ico: 'ICO',
  cur: 'CUR',
  icns: 'ICNS',
};

export async function checkImage(input: Buffer, declaredName?: string): Promise<CheckedImage> {
  if (input.length === 0) throw new ImageRejected('FILE_EMPTY', '文件为空，请重新选择');
  if (input.length > MAX_ATTACHMENT_BYTES) {
    throw new ImageRejected(
      'FILE_TOO_LARGE',
      `文件大小为${formatMegabytes(input.length)}MB，超过1MB的限制，请压缩后重新上传`,
    );
  }

  const detected = await fileTypeFromBuffer(input);
  if (!detected) throw new ImageRejected('NOT_AN_IMAGE', `无法识别的文件，${ACCEPTED}`);
  switch (detected.mime) {
    case 'image/jpeg':
      return reencodeJpeg(input);
    case 'image/png':
    case 'image/apng':
      // An animated PNG is a PNG whose first frame every viewer shows; that frame is kept.
      assertPngComplete(input);
      return reencodePng(input);
    case 'image/bmp':
      return rebuildCheckedBmp(input);
  }
  if (detected.mime.startsWith('image/')) {
    const format = IMAGE_FORMAT_NAMES[detected.ext] ?? detected.ext.toUpperCase();
    throw new ImageRejected('UNSUPPORTED_IMAGE', `不支持${format}格式，${ACCEPTED}`);
  }
  const kind = DOCUMENT_NAMES[detected.mime] ?? describeOther(detected.mime, detected.ext);
  const named = declaredName ? `（文件名为 ${shorten(declaredName)}）` : '';
  throw new ImageRejected('NOT_AN_IMAGE', `该文件实际是${kind}，不是图片${named}，${ACCEPTED}`);
}

async function reencodeJpeg(input: Buffer): Promise<CheckedImage> {
  await assertDimensionsFromHeader(input);
  for (const quality of JPEG_QUALITIES) {
    const { data, info } = await decodeOrReject(input, (image) =>
      image.jpeg({ quality, mozjpeg: true }),
    );
    if (data.length <= MAX_ATTACHMENT_BYTES) {
      return { type: 'image/jpeg', extension: 'jpg', width: info.width, height: info.height, data };
    }
  }
  throw tooLargeAfterReencoding();
}

async function reencodePng(input: Buffer): Promise<CheckedImage> {
  const meta = await assertDimensionsFromHeader(input);
  const bits = meta.bitsPerSample ?? 8;
  // Indexed and low-bit-depth scans (black-and-white documents) stay indexed: written as 8-bit
  // truecolour they can grow several times over and past the limit.
  const indexed = meta.isPalette || bits < 8;
  const attempts: PngOptions[] = [
    indexed
      ? // sharp picks the bit depth from the colour count: a 1-bit scan stays 1-bit.
        { compressionLevel: 9, palette: true, colours: 2 ** Math.min(bits, 8), dither: 0 }
      : { compressionLevel: 9 },
    // Last resort: 256 colours. Lossy for photos, but a greyscale scan has no more levels than that.
    { compressionLevel: 9, palette: true },
  ];
  for (const options of attempts) {
    const { data, info } = await decodeOrReject(input, (image) => image.png(options));
    if (data.length <= MAX_ATTACHMENT_BYTES) {
      return { type: 'image/png', extension: 'png', width: info.width, height: info.height, data };
    }
  }
  throw tooLargeAfterReencoding();
}

function rebuildCheckedBmp(input: Buffer): CheckedImage {
  try {
    const header = parseBmpHeader(input);
    assertDimensions(header.width, header.height);
    const data = rebuildBmp(input, header);
    if (data.length > MAX_ATTACHMENT_BYTES) throw tooLargeAfterReencoding();
    return { type: 'image/bmp', extension: 'bmp', width: header.width, height: header.height, data };
  } catch (err) {
    if (!(err instanceof BmpInvalid)) throw err;
    if (err.problem === 'unsupported') {
      throw new ImageRejected(
        'UNSUPPORTED_IMAGE',
        `不支持${err.variant ?? '这种BMP'}格式，请用画图等软件另存为普通BMP、JPEG或PNG格式后上传`,
      );
    }
    throw new ImageRejected('IMAGE_CORRUPT', CORRUPT);
  }
}

/**
 * One full decode and re-encode. Orientation is applied first so the stored image looks as the
 * person saw it; sharp's default output then drops EXIF, XMP, IPTC, ICC and text chunks
 * (converting to sRGB, so colours survive the profile's removal).
 */
async function decodeOrReject(
  input: Buffer,
  encode: (image: Sharp) => Sharp,
): Promise<{ data: Buffer; info: OutputInfo }> {
  try {
    const image = sharp(input, {
      failOn: FAIL_ON,
      limitInputPixels: MAX_IMAGE_PIXELS,
      autoOrient: true,
    });
    return await encode(image).toBuffer({ resolveWithObject: true });
  } catch {
    throw new ImageRejected('IMAGE_CORRUPT', CORRUPT);
  }
}

/** Reads only the header, so a forged size is refused before any pixel is allocated. */
async function assertDimensionsFromHeader(input: Buffer): Promise<Metadata> {
  let meta: Metadata;
  try {
    meta = await sharp(input, { failOn: FAIL_ON }).metadata();
  } catch {
    throw new ImageRejected('IMAGE_CORRUPT', CORRUPT);
  }
  assertDimensions(meta.autoOrient.width, meta.autoOrient.height);
  return meta;
}

function assertDimensions(width: number, height: number): void {
  const size = `${width}×${height}像素`;
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new ImageRejected(
      'IMAGE_DIMENSIONS_TOO_LARGE',
      `图片尺寸为${size}，超过每边${MAX_IMAGE_SIDE}像素的限制，请缩小后重新上传`,
    );
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new ImageRejected(
      'IMAGE_DIMENSIONS_TOO_LARGE',
      `图片尺寸为${size}，总像素超过${MAX_IMAGE_PIXELS / 10_000}万的限制，请缩小后重新上传`,
    );
  }
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw new ImageRejected(
      'IMAGE_TOO_SMALL',
      `图片尺寸为${size}，太小无法看清，请上传每边至少${MIN_IMAGE_SIDE}像素的清晰图片`,
    );
  }
}

/**
 * libpng decodes every pixel of a PNG whose IEND chunk was cut off without complaint, so the
 * chunk chain is walked here: an upload that ends before IEND did not arrive whole.
 */
function assertPngComplete(input: Buffer): void {
  let pos = 8;
  while (pos + 12 <= input.length) {
    const length = input.readUInt32BE(pos);
    const type = input.toString('latin1', pos + 4, pos + 8);
    pos += 12 + length;
    if (type === 'IEND') {
      if (pos <= input.length) return;
      break;
    }
  }
  throw new ImageRejected('IMAGE_CORRUPT', CORRUPT);
}

function tooLargeAfterReencoding(): ImageRejected {
  return new ImageRejected(
    'FILE_TOO_LARGE',
    '图片去除附加信息后重新保存仍超过1MB的限制，请降低分辨率或压缩后重新上传',
  );
}

/** Rounded up, so a file just over the limit never reads as "1.0MB". */
function formatMegabytes(bytes: number): string {
  return (Math.ceil((bytes / MAX_ATTACHMENT_BYTES) * 10) / 10).toFixed(1);
}

function describeOther(mime: string, ext: string): string {
  if (mime.startsWith('video/')) return '视频文件';
  if (mime.startsWith('audio/')) return '音频文件';
  if (mime.startsWith('font/')) return '字体文件';
  return `${ext.toUpperCase()}文件`;
}

function shorten(name: string): string {
  return name.length > 60 ? `${name.slice(0, 28)}…${name.slice(-28)}` : name;
}
