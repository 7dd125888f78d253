/**
 * Prepares a TrueType font for pdf-lib's subsetter (@pdf-lib/fontkit 1.1). The subsetter copies
 * each glyph's bytes as they are and, when the subset is small, writes the short `loca` format,
 * which stores offsets halved: a glyph of odd length shifts every later offset by a byte, and
 * those glyphs come out as garbage (DroidSansFallbackFull has such glyphs; poppler then draws
 * most ideographs blank while pdftotext still reads the text). Padding every glyph to four bytes,
 * as the TrueType specification recommends, makes every subset offset even. The outlines do not
 * change; only the `glyf`, `loca` and `head` tables are rewritten.
 */

interface TableRecord {
  tag: string;
  offset: number;
  length: number;
}

const pad4 = (n: number): number => (n + 3) & ~3;

function checksum(data: Uint8Array): number {
  const padded = new Uint8Array(pad4(data.length));
  padded.set(data);
  const view = new DataView(padded.buffer);
  let sum = 0;
  for (let i = 0; i < padded.length; i += 4) sum = (sum + view.getUint32(i)) >>> 0;
  return sum;
}

/** The table directory, or null when the bytes are not a well-formed single font. */
function readTables(font: Uint8Array): { view: DataView; tables: Map<string, TableRecord> } | null {
  if (font.length < 12) return null;
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const count = view.getUint16(4);
  if (12 + count * 16 > font.length) return null;
  const tables = new Map<string, TableRecord>();
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 16;
    const tag = String.fromCharCode(...font.subarray(at, at + 4));
    const record = { tag, offset: view.getUint32(at + 8), length: view.getUint32(at + 12) };
    if (record.offset + record.length > font.length || tables.has(tag)) return null;
    tables.set(tag, record);
  }
  return { view, tables };
}

/** Glyph offsets from `loca`, numGlyphs + 1 of them. */
function glyphOffsets(view: DataView, loca: TableRecord, numGlyphs: number, long: boolean): number[] {
  const offsets: number[] = [];
  for (let i = 0; i <= numGlyphs; i++) {
    offsets.push(long ? view.getUint32(loca.offset + i * 4) : view.getUint16(loca.offset + i * 2) * 2);
  }
  return offsets;
}

/**
 * The font with every glyph 4-byte aligned, or the same bytes when all glyphs already are of
 * even length (or the font has no `glyf` table, as a CFF-flavoured OpenType font).
 */
export function alignGlyphs(font: Uint8Array): Uint8Array {
  const directory = readTables(font);
  if (directory === null) return font;
  const { view, tables } = directory;
  const head = tables.get('head');
  const loca = tables.get('loca');
  const glyf = tables.get('glyf');
  const maxp = tables.get('maxp');
  if (!head || !loca || !glyf || !maxp || head.length < 54 || maxp.length < 6) return font;

  const long = view.getInt16(head.offset + 50) === 1;
  const numGlyphs = view.getUint16(maxp.offset + 4);
  if (loca.length < (numGlyphs + 1) * (long ? 4 : 2)) return font;
  const offsets = glyphOffsets(view, loca, numGlyphs, long);
  if (offsets.every((o) => o % 2 === 0)) return font;
  const ordered = offsets.every((o, i) => i === 0 || o >= offsets[i - 1]!);
  if (!ordered || offsets[numGlyphs]! > glyf.length) return font; // not a layout we know

  // New glyf and loca (long format).
  const sizes = offsets.slice(0, -1).map((o, i) => pad4(offsets[i + 1]! - o));
  const newGlyf = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  const newLoca = new Uint8Array((numGlyphs + 1) * 4);
  const locaView = new DataView(newLoca.buffer);
  let at = 0;
  for (let i = 0; i < numGlyphs; i++) {
    locaView.setUint32(i * 4, at);
    newGlyf.set(font.subarray(glyf.offset + offsets[i]!, glyf.offset + offsets[i + 1]!), at);
    at += sizes[i]!;
  }
  locaView.setUint32(numGlyphs * 4, at);

  const newHead = font.slice(head.offset, head.offset + head.length);
  const headView = new DataView(newHead.buffer);
  headView.setUint32(8, 0); // checkSumAdjustment, set below
  headView.setInt16(50, 1); // indexToLocFormat: long

  const records = [...tables.values()];
  const dataOf = (r: TableRecord): Uint8Array =>
    r.tag === 'glyf' ? newGlyf
    : r.tag === 'loca' ? newLoca
    : r.tag === 'head' ? newHead
    : font.subarray(r.offset, r.offset + r.length);

  const headerSize = 12 + records.length * 16;
  const total = records.reduce((sum, r) => sum + pad4(dataOf(r).length), headerSize);
  const out = new Uint8Array(total);
  const outView = new DataView(out.buffer);
  out.set(font.subarray(0, 12)); // sfnt version and the binary-search fields stay valid
  let offset = headerSize;
  let headOffset = 0;
  records.forEach((r, i) => {
    const data = dataOf(r);
    const rec = 12 + i * 16;
    out.set(font.subarray(12 + i * 16, 12 + i * 16 + 4), rec); // same tag, same order
    outView.setUint32(rec + 4, checksum(data));
    outView.setUint32(rec + 8, offset);
    outView.setUint32(rec + 12, data.length);
    out.set(data, offset);
    if (r.tag === 'head') headOffset = offset;
    offset += pad4(data.length);
  });
  outView.setUint32(headOffset + 8, (0xb1b0afba - checksum(out)) >>> 0);
  return out;
}
