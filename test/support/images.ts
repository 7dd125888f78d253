/** Scans for upload tests, made in code: small valid images of each accepted kind, and bad ones. */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';

export async function jpegScan(label = 'scan', width = 600, height = 400): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/><circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="none" stroke="#c00" stroke-width="8"/><text x="20" y="40" font-size="24">${label}</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

export async function pngScan(width = 400, height = 300): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#f4f4f4' } }).png().toBuffer();
}

/** A 24-bit BMP written by hand: header, info header, bottom-up rows padded to 4 bytes. */
export function bmpScan(width = 120, height = 80): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + row * height;
  const b = Buffer.alloc(size, 0);
  b.fill(0xff, 54);
  b.write('BM', 0, 'ascii');
  b.writeUInt32LE(size, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.writeUInt32LE(0, 30);
  b.writeUInt32LE(row * height, 34);
  for (let y = 0; y < height; y++) for (let x = 0; x < 10; x++) b.writeUInt8(0, 54 + y * row + x * 3 + 2);
  return b;
}

export async function gifImage(): Promise<Buffer> {
  return sharp({ create: { width: 100, height: 100, channels: 3, background: '#0a0' } }).gif().toBuffer();
}

/** A JPEG of random noise: incompressible, about `bytes` long. */
export async function largeJpeg(bytes = 1.5 * 1024 * 1024): Promise<Buffer> {
  const side = Math.ceil(Math.sqrt(bytes / 1.2));
  return sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
}

export function pdfDocument(): Buffer {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  );
}
