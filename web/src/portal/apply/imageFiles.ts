/**
 * What to do with a file the applicant picked for an upload slot. The manual accepts JPEG, PNG and
 * BMP within 1 MB. Any other picture the browser can open (GIF, WebP, AVIF, a photo over 1 MB …)
 * can be turned here into a JPEG under the limit; anything else is sent as it is, because only the
 * server judges content and its refusal names what the file really is.
 */

export const MAX_UPLOAD_BYTES = 1024 * 1024;
/** The server's own per-side and minimum limits (src/attachments/image.ts). */
const MAX_SIDE = 10_000;
const MIN_SIDE = 50;
/** Larger scans gain nothing legible and cost canvas memory on a phone. */
const START_MAX_SIDE = 4000;
const QUALITIES = [0.92, 0.85, 0.75, 0.65, 0.55] as const;
const SHRINK = 0.8;
/** Room for the server re-encoding the JPEG a little larger than the browser wrote it. */
const TARGET_BYTES = MAX_UPLOAD_BYTES - 48 * 1024;

export type Sniffed = 'jpeg' | 'png' | 'bmp' | 'gif' | 'webp' | 'avif' | 'heic' | 'tiff' | 'pdf' | 'unknown';

const FORMAT_NAMES: Record<Sniffed, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  bmp: 'BMP',
  gif: 'GIF',
  webp: 'WebP',
  avif: 'AVIF',
  heic: 'HEIC',
  tiff: 'TIFF',
  pdf: 'PDF',
  unknown: '未知',
};

export const formatName = (kind: Sniffed) => FORMAT_NAMES[kind];

const startsWith = (bytes: Uint8Array, signature: number[], offset = 0) => signature.every((b, i) => bytes[offset + i] === b);
const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));

/** The format by the file's first bytes, never by its name. */
export async function sniff(file: Blob): Promise<Sniffed> {
  const bytes = new Uint8Array(await file.slice(0, 32).arrayBuffer());
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (ascii(bytes, 0, 2) === 'BM') return 'bmp';
  if (ascii(bytes, 0, 4) === 'GIF8') return 'gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (ascii(bytes, 4, 8) === 'ftyp') {
    const brand = ascii(bytes, 8, 12);
    if (brand.startsWith('avi')) return 'avif';
    if (/^(heic|heix|hevc|mif1|msf1)$/.test(brand)) return 'heic';
  }
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (ascii(bytes, 0, 5) === '%PDF-') return 'pdf';
  return 'unknown';
}

export type Plan =
  | { action: 'upload' }
  /** The picture can be offered for conversion; `reason` says why it needs it. */
  | { action: 'convert'; reason: { kind: 'tooLarge'; bytes: number } | { kind: 'unsupported'; format: string } };

const ACCEPTED = new Set<Sniffed>(['jpeg', 'png', 'bmp']);

export async function planUpload(file: File): Promise<Plan> {
  const kind = await sniff(file);
  if (ACCEPTED.has(kind) && file.size <= MAX_UPLOAD_BYTES) return { action: 'upload' };
  const looksLikeImage = kind !== 'pdf' && (kind !== 'unknown' || file.type.startsWith('image/'));
  if (!looksLikeImage || !(await decodable(file))) return { action: 'upload' };
  return ACCEPTED.has(kind)
    ? { action: 'convert', reason: { kind: 'tooLarge', bytes: file.size } }
    : { action: 'convert', reason: { kind: 'unsupported', format: kind === 'unknown' ? file.type.replace('image/', '').toUpperCase() : formatName(kind) } };
}

async function decodable(file: Blob): Promise<boolean> {
  try {
    const bitmap = await createImageBitmap(file);
    bitmap.close();
    return true;
  } catch {
    return false;
  }
}

export interface Converted {
  blob: Blob;
  width: number;
  height: number;
}

function encode(canvas: HTMLCanvasElement, quality: number): Promise<Blob> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('canvas.toBlob gave nothing'))), 'image/jpeg', quality);
  });
}

/**
 * A JPEG of the picture within the limit: on a white ground (transparency would turn black),
 * trying lower qualities first and then smaller sizes, never below what the server accepts.
 */
export async function convertToJpeg(file: Blob): Promise<Converted> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    let scale = Math.min(1, START_MAX_SIDE / Math.max(bitmap.width, bitmap.height), MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    for (;;) {
      const width = Math.max(1, Math.round(bitmap.width * scale));
      const height = Math.max(1, Math.round(bitmap.height * scale));
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const context = canvas.getContext('2d');
      if (!context) throw new Error('no 2d canvas');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, width, height);
      context.drawImage(bitmap, 0, 0, width, height);
      for (const quality of QUALITIES) {
        const blob = await encode(canvas, quality);
        if (blob.size <= TARGET_BYTES) return { blob, width, height };
      }
      if (Math.min(width, height) * SHRINK < MIN_SIDE) throw new Error('cannot fit the limit');
      scale *= SHRINK;
    }
  } finally {
    bitmap.close();
  }
}

/** "850KB" or "1.5MB", rounded up so a file just over the limit never reads as 1.0MB. */
export function formatSize(bytes: number): string {
  if (bytes < MAX_UPLOAD_BYTES) return `${Math.max(1, Math.ceil(bytes / 1024))}KB`;
  return `${(Math.ceil((bytes / MAX_UPLOAD_BYTES) * 10) / 10).toFixed(1)}MB`;
}

/** The converted file's name: the original's, ending in .jpg. */
export function jpegName(name: string): string {
  const dot = name.lastIndexOf('.');
  return `${dot > 0 ? name.slice(0, dot) : name || '图片'}.jpg`;
}
