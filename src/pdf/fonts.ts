/**
 * Where the CJK font for generated PDFs comes from. pdf-lib can subset only single-face fonts
 * (a `.ttc` collection fails with "createSubset is not a function"), so this looks for a
 * single-face TrueType/OpenType font: the path the caller passes (config decides it), else the
 * known Debian locations. Nothing is downloaded; the bytes are read once per process.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import * as fontkit from 'fontkit';
import type { PDFDocument } from '@cantoo/pdf-lib';

/** Single-face CJK fonts shipped by Debian packages, best first. */
export const KNOWN_CJK_FONT_PATHS: readonly string[] = [
  // fonts-droid-fallback: CJK ideographs and full-width punctuation, no Latin letters.
  '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
  // fonts-arphic-gbsn00lp (AR PL SungtiL GB) and fonts-arphic-gkai00mp (AR PL KaitiM GB).
  '/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf',
  '/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf',
];

const INSTALL_HINT =
  '未找到中文字体：请安装 fonts-droid-fallback（apt-get install fonts-droid-fallback）' +
  ' / No CJK font found: install fonts-droid-fallback (apt-get install fonts-droid-fallback)';

/** Thrown when no usable CJK font exists; `message` is Chinese first, then English. */
export class CjkFontError extends Error {
  readonly code: 'CJK_FONT_NOT_FOUND' | 'CJK_FONT_UNUSABLE';

  constructor(code: CjkFontError['code'], message: string) {
    super(message);
    this.name = 'CjkFontError';
    this.code = code;
  }
}

/** A font collection starts with the tag `ttcf`; pdf-lib cannot subset one. */
function isFontCollection(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    return head.toString('latin1') === 'ttcf';
  } finally {
    closeSync(fd);
  }
}

function isUsableFont(path: string): boolean {
  return existsSync(path) && statSync(path).isFile() && !isFontCollection(path);
}

/**
 * The path of a single-face CJK font. An explicit path must exist and be usable (a wrong
 * setting fails loudly rather than silently using another font); without one, the first known
 * Debian font present wins (`candidates` replaces that list, for tests).
 */
export function findCjkFont(
  explicit?: string,
  candidates: readonly string[] = KNOWN_CJK_FONT_PATHS,
): string {
  if (explicit !== undefined && explicit !== '') {
    if (!existsSync(explicit) || !statSync(explicit).isFile()) {
      throw new CjkFontError(
        'CJK_FONT_NOT_FOUND',
        `指定的中文字体文件不存在：${explicit} / The CJK font file does not exist: ${explicit}`,
      );
    }
    if (isFontCollection(explicit)) {
      throw new CjkFontError(
        'CJK_FONT_UNUSABLE',
        `中文字体不能是字体集合（.ttc）：${explicit}，请使用单一字体文件（.ttf/.otf） / ` +
          `The CJK font must be a single-face .ttf/.otf, not a collection: ${explicit}`,
      );
    }
    return explicit;
  }
  const found = candidates.find(isUsableFont);
  if (found === undefined) throw new CjkFontError('CJK_FONT_NOT_FOUND', INSTALL_HINT);
  return found;
}

/** What layout needs to know of the CJK font without asking pdf-lib (whose measuring shapes text). */
export interface GlyphMetrics {
  has(codePoint: number): boolean;
  /** Advance width of one character, in em. */
  advance(char: string): number;
}

export interface CjkFont {
  path: string;
  bytes: Uint8Array;
  /** The font's PostScript name, for the subset's BaseFont (ABCDEF+Name). */
  postscriptName: string;
  metrics: GlyphMetrics;
  /**
   * What to give `PDFDocument.registerFontkit`: fontkit, except that these bytes come back as the
   * face already parsed here. Parsing the 4 MB font again and warming its glyph caches cost about
   * 20 ms per document; the face is only read by the subsetter, so documents can share it.
   */
  fontkit: PdfFontkit;
}

export type PdfFontkit = Parameters<PDFDocument['registerFontkit']>[0];

const loaded = new Map<string, CjkFont>();

/** The CJK font `findCjkFont(explicit)` chooses, read from disk and prepared once per path. */
export function loadCjkFont(explicit?: string): CjkFont {
  const path = findCjkFont(explicit);
  let font = loaded.get(path);
  if (font === undefined) {
    font = prepare(path, new Uint8Array(readFileSync(path)));
    loaded.set(path, font);
  }
  return font;
}

/** The parts of fontkit's glyph objects that `rememberOutlines` touches (not in its types). */
interface DecodableGlyph {
  _decode(): unknown;
}
interface GlyphSource {
  getGlyph(id: number, codePoints?: number[]): DecodableGlyph | null;
  variationAxes?: Record<string, unknown>;
}

/**
 * The subsetter decodes each glyph's whole outline (~10 µs) only to learn whether it is
 * composite, in every document, though the shared face keeps its glyph objects: remembering
 * the decoded outline per glyph saved a quarter of a contract's rendering time. Not for
 * variable fonts, whose decoded points fontkit transforms in place.
 */
function rememberOutlines(face: fontkit.Font): void {
  const source = face as unknown as GlyphSource;
  if (Object.keys(source.variationAxes ?? {}).length > 0) return;
  const getGlyph = source.getGlyph.bind(source);
  const remembered = new WeakSet<DecodableGlyph>();
  source.getGlyph = (id, codePoints) => {
    const glyph = getGlyph(id, codePoints);
    if (glyph !== null && !remembered.has(glyph)) {
      const decode = glyph._decode.bind(glyph);
      let outline: { value: unknown } | undefined;
      glyph._decode = () => (outline ??= { value: decode() }).value;
      remembered.add(glyph);
    }
    return glyph;
  };
}

/** fontkit 2 is typed for Buffers; it reads any Uint8Array. The same bytes, not a copy. */
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A collection is refused before (`ttcf`); this tells TypeScript, and catches what slipped by. */
function singleFace(font: fontkit.Font | fontkit.FontCollection): fontkit.Font {
  if ('fonts' in font) throw new Error('a font collection, not a single face');
  return font;
}

function prepare(path: string, bytes: Uint8Array): CjkFont {
  let face: fontkit.Font;
  try {
    face = singleFace(fontkit.create(asBuffer(bytes)));
  } catch (error) {
    throw new CjkFontError(
      'CJK_FONT_UNUSABLE',
      `无法读取中文字体：${path}（${(error as Error).message}） / Cannot read the CJK font: ${path}`,
    );
  }
  const advances = new Map<string, number>();
  const metrics: GlyphMetrics = {
    has: (codePoint) => face.hasGlyphForCodePoint(codePoint),
    advance: (char) => {
      let em = advances.get(char);
      if (em === undefined) {
        em = face.glyphForCodePoint(char.codePointAt(0) ?? 0).advanceWidth / face.unitsPerEm;
        advances.set(char, em);
      }
      return em;
    },
  };
  rememberOutlines(face);
  const safeName = (face.postscriptName ?? '').replace(/[^A-Za-z0-9-]/g, '');
  const reuse: PdfFontkit = {
    create: (data, postscriptName) =>
      data === bytes ? face : fontkit.create(asBuffer(data), postscriptName),
  };
  return {
    path,
    bytes,
    postscriptName: safeName === '' ? 'CJKFont' : safeName,
    metrics,
    fontkit: reuse,
  };
}
