/**
 * BMP, which sharp cannot read. We validate the header ourselves (bmp-ts trusts it and would
 * allocate whatever a forged width × height asks for), then rebuild the file from parts we have
 * checked: a header we write, the palette, the pixel rows. Whatever else the upload carried —
 * an embedded ICC profile, gaps, bytes appended after the pixels (a polyglot's payload) — is left
 * behind. Bit depth is kept: a 1-bit scan re-encoded at 24 bits would grow 24-fold past 1 MB.
 * bmp-ts then decodes the rebuilt file in full, so what we store is known to open.
 */
import { decode } from 'bmp-ts';

export type BmpProblem = 'corrupt' | 'unsupported';

/** Internal: image.ts turns it into a refusal the user can act on. */
export class BmpInvalid extends Error {
  constructor(
    readonly problem: BmpProblem,
    /** what is wrong, in English, for logs */
    readonly detail: string,
    /** for 'unsupported': the variant, in words a user may recognise */
    readonly variant?: string,
  ) {
    super(detail);
    this.name = 'BmpInvalid';
  }
}

export interface BmpHeader {
  width: number;
  height: number;
  topDown: boolean;
  bitsPerPixel: 1 | 4 | 8 | 16 | 24 | 32;
  /** 0 = BI_RGB, 3 = BI_BITFIELDS (6, BI_ALPHABITFIELDS, is normalised to 3) */
  compression: 0 | 3;
  masks: { red: number; green: number; blue: number; alpha: number } | undefined;
  paletteOffset: number;
  paletteEntries: number;
  pixelOffset: number;
  rowStride: number;
  resolution: { x: number; y: number };
}

const FILE_HEADER = 14;
const INFO_HEADER = 40;
const V4_HEADER = 108;
const KNOWN_INFO_HEADERS = new Set([40, 52, 56, 108, 124]);
const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_JPEG = 4;
const BI_PNG = 5;
const BI_ALPHABITFIELDS = 6;
const LCS_SRGB = 0x73524742;

const corrupt = (detail: string): BmpInvalid => new BmpInvalid('corrupt', detail);

export function parseBmpHeader(input: Buffer): BmpHeader {
  if (input.length < FILE_HEADER + 4 || input.toString('latin1', 0, 2) !== 'BM') {
    throw corrupt('no BMP signature');
  }
  const declaredFileSize = input.readUInt32LE(2);
  // Some writers leave bfSize at 0; a non-zero one larger than what arrived means a cut-off upload.
  if (declaredFileSize > input.length) {
    throw corrupt(`file header says ${declaredFileSize} bytes, got ${input.length}`);
  }
  const pixelOffset = input.readUInt32LE(10);
  const infoSize = input.readUInt32LE(14);
  if (infoSize === 12 || infoSize === 64) {
    throw new BmpInvalid('unsupported', `OS/2 header (${infoSize} bytes)`, 'OS/2格式的BMP');
  }
  if (!KNOWN_INFO_HEADERS.has(infoSize)) throw corrupt(`unknown info header size ${infoSize}`);
  if (input.length < FILE_HEADER + infoSize) throw corrupt('info header cut off');

  const width = input.readInt32LE(18);
  const rawHeight = input.readInt32LE(22);
  const planes = input.readUInt16LE(26);
  const bpp = input.readUInt16LE(28);
  const rawCompression = input.readUInt32LE(30);
  const colorsUsed = input.readUInt32LE(46);
  if (width <= 0 || rawHeight === 0 || rawHeight === -0x80000000) {
    throw corrupt(`dimensions ${width}×${rawHeight}`);
  }
  if (planes !== 1) throw corrupt(`planes = ${planes}`);

  if (rawCompression === BI_RLE8 || rawCompression === BI_RLE4) {
    // bmp-ts's RLE decoder writes pixels at the wrong offsets; better refused than stored garbled.
    throw new BmpInvalid('unsupported', 'RLE compression', '压缩（RLE）的BMP');
  }
  if (rawCompression === BI_JPEG || rawCompression === BI_PNG) {
    throw new BmpInvalid('unsupported', 'embedded JPEG/PNG', '内嵌JPEG/PNG的BMP');
  }
  if (!isBitDepth(bpp)) throw corrupt(`bit depth ${bpp}`);

  let compression: 0 | 3;
  let masks: BmpHeader['masks'];
  let paletteOffset = FILE_HEADER + infoSize;
  if (rawCompression === BI_RGB) {
    compression = 0;
  } else if (rawCompression === BI_BITFIELDS || rawCompression === BI_ALPHABITFIELDS) {
    if (bpp !== 16 && bpp !== 32) throw corrupt(`bit fields with ${bpp} bits per pixel`);
    compression = 3;
    const maskCount = rawCompression === BI_ALPHABITFIELDS || infoSize >= 56 ? 4 : 3;
    const masksAt = FILE_HEADER + INFO_HEADER;
    // In a 40-byte header the masks follow it; in V2+ headers they are part of it.
    if (infoSize === INFO_HEADER) paletteOffset += maskCount * 4;
    if (input.length < masksAt + maskCount * 4) throw corrupt('bit masks cut off');
    masks = {
      red: input.readUInt32LE(masksAt),
      green: input.readUInt32LE(masksAt + 4),
      blue: input.readUInt32LE(masksAt + 8),
      alpha: maskCount === 4 ? input.readUInt32LE(masksAt + 12) : 0,
    };
    if (masks.red === 0 || masks.green === 0 || masks.blue === 0) throw corrupt('empty colour mask');
    const limit = bpp === 16 ? 0xffff : 0xffffffff;
    if ([masks.red, masks.green, masks.blue, masks.alpha].some((m) => m > limit || !contiguous(m))) {
      throw corrupt('colour masks do not fit the pixel');
    }
  } else {
    throw corrupt(`compression ${rawCompression}`);
  }

  let paletteEntries = 0;
  if (bpp <= 8) {
    const max = 2 ** bpp;
    paletteEntries = colorsUsed === 0 ? max : colorsUsed;
    if (paletteEntries > max) throw corrupt(`${colorsUsed} palette entries for ${bpp} bits`);
  }
  // Deeper images may still carry an optional palette (clrUsed > 0); it only has to fit.
  const paletteEnd = paletteOffset + (bpp <= 8 ? paletteEntries : colorsUsed) * 4;
  if (pixelOffset < paletteEnd) throw corrupt(`pixel data at ${pixelOffset} overlaps the header`);

  const height = Math.abs(rawHeight);
  const rowStride = Math.floor((bpp * width + 31) / 32) * 4;
  const pixelBytes = rowStride * height;
  if (pixelOffset + pixelBytes > input.length) {
    throw corrupt(`needs ${pixelOffset + pixelBytes} bytes for ${width}×${height}×${bpp}, got ${input.length}`);
  }

  return {
    width,
    height,
    topDown: rawHeight < 0,
    bitsPerPixel: bpp,
    compression,
    masks,
    paletteOffset,
    paletteEntries,
    pixelOffset,
    rowStride,
    resolution: { x: input.readInt32LE(38), y: input.readInt32LE(42) },
  };
}

/** A BMP holding only what `header` describes, decoded once to prove it opens. */
export function rebuildBmp(input: Buffer, header: BmpHeader): Buffer {
  const bitfields = header.compression === BI_BITFIELDS;
  // V4 is the smallest header that carries an alpha mask and that browsers read.
  const infoSize = bitfields ? V4_HEADER : INFO_HEADER;
  const paletteBytes = header.paletteEntries * 4;
  const pixelOffset = FILE_HEADER + infoSize + paletteBytes;
  const pixelBytes = header.rowStride * header.height;
  const out = Buffer.alloc(pixelOffset + pixelBytes);

  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(pixelOffset, 10);
  out.writeUInt32LE(infoSize, 14);
  out.writeInt32LE(header.width, 18);
  out.writeInt32LE(header.topDown ? -header.height : header.height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(header.bitsPerPixel, 28);
  out.writeUInt32LE(header.compression, 30);
  out.writeUInt32LE(pixelBytes, 34);
  out.writeInt32LE(header.resolution.x, 38);
  out.writeInt32LE(header.resolution.y, 42);
  out.writeUInt32LE(header.bitsPerPixel <= 8 ? header.paletteEntries : 0, 46);
  if (bitfields && header.masks) {
    out.writeUInt32LE(header.masks.red, 54);
    out.writeUInt32LE(header.masks.green, 58);
    out.writeUInt32LE(header.masks.blue, 62);
    out.writeUInt32LE(header.masks.alpha, 66);
    out.writeUInt32LE(LCS_SRGB, 70);
  }

  for (let i = 0; i < header.paletteEntries; i++) {
    const from = header.paletteOffset + i * 4;
    const to = FILE_HEADER + infoSize + i * 4;
    input.copy(out, to, from, from + 3);
  }

  // Row padding is zeroed so nothing of the upload rides along outside the pixels.
  const usedRowBytes = Math.ceil((header.bitsPerPixel * header.width) / 8);
  for (let row = 0; row < header.height; row++) {
    const from = header.pixelOffset + row * header.rowStride;
    input.copy(out, pixelOffset + row * header.rowStride, from, from + usedRowBytes);
  }

  try {
    decode(out);
  } catch (err) {
    // Typically a pixel indexing past a short palette.
    throw corrupt(`pixels do not decode: ${err instanceof Error ? err.message : String(err)}`);
  }
  return out;
}

function isBitDepth(n: number): n is BmpHeader['bitsPerPixel'] {
  return n === 1 || n === 4 || n === 8 || n === 16 || n === 24 || n === 32;
}

/** A colour mask is one run of set bits; anything else is a forged header. */
function contiguous(mask: number): boolean {
  if (mask === 0) return true;
  let m = mask >>> 0;
  while ((m & 1) === 0) m >>>= 1;
  return ((m + 1) & m) === 0;
}
