/**
 * A4 documents in Chinese: the CJK font embedded as a subset (Helvetica, which every viewer has,
 * for the Latin letters and digits the CJK font may lack) and the document information set.
 * `renderOnePage` is the official form: one sheet, the content scaled down just enough to fit,
 * and content that cannot fit even small is refused rather than cut or spilled onto a second
 * page. Multi-page documents (contract.ts) use `startDocument` and `finishDocument`.
 */
import { createHash } from 'node:crypto';
import { PDFDocument, PageSizes, StandardFonts } from '@cantoo/pdf-lib';
import { loadCjkFont } from './fonts.ts';
import { GREY, type Margins, Sheet, Typeface } from './layout.ts';

export interface DocumentInfo {
  title: string;
  author: string;
  subject: string;
  keywords: string[];
  createdAt: Date;
}

/** The content does not fit one page even at the smallest scale. */
export class PageOverflowError extends Error {
  readonly code = 'PDF_PAGE_OVERFLOW';

  constructor(title: string) {
    super(`《${title}》内容过长，无法在一页内排版，请精简所填内容 / The content does not fit on one page`);
    this.name = 'PageOverflowError';
  }
}

export const MARGINS: Margins = { left: 62, right: 62, top: 58, bottom: 52 };
/** From full size down to 70 %: below that a printed form is no longer comfortable to read. */
const SCALES = [1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7];

/**
 * The six capital letters that mark a subset font's name (PDF 32000-1, 9.6.4), which is how
 * readers such as pdffonts tell a subset; derived from the document so that output is repeatable.
 */
function subsetTag(info: DocumentInfo): string {
  const digest = createHash('sha256')
    .update(`${info.title}\n${info.subject}\n${info.createdAt.toISOString()}`)
    .digest();
  return Array.from(digest.subarray(0, 6), (b) => String.fromCharCode(65 + (b % 26))).join('');
}

/** A new document with the CJK face (subset) and Helvetica embedded. */
export async function startDocument(
  info: DocumentInfo,
  fontPath?: string,
): Promise<{ doc: PDFDocument; type: Typeface }> {
  const doc = await PDFDocument.create();
  const font = loadCjkFont(fontPath);
  doc.registerFontkit(font.fontkit);
  const cjk = await doc.embedFont(font.bytes, {
    subset: true,
    customName: `${subsetTag(info)}+${font.postscriptName}`,
  });
  const latin = await doc.embedFont(StandardFonts.Helvetica);
  return { doc, type: new Typeface(cjk, font.metrics, latin) };
}

/** Sets the document information and writes the file. */
export async function finishDocument(doc: PDFDocument, info: DocumentInfo): Promise<Uint8Array> {
  doc.setTitle(info.title, { showInWindowTitleBar: true });
  doc.setAuthor(info.author);
  doc.setSubject(info.subject);
  doc.setKeywords(info.keywords);
  doc.setCreator('CertDesk');
  doc.setProducer('CertDesk');
  doc.setLanguage('zh-CN');
  doc.setCreationDate(info.createdAt);
  doc.setModificationDate(info.createdAt);
  return doc.save();
}

/**
 * Renders `compose` on one A4 page at the largest scale at which it fits, with `footer` (a
 * small grey line) at the foot of the page.
 */
export async function renderOnePage(
  info: DocumentInfo,
  footer: string,
  compose: (sheet: Sheet) => void,
  fontPath?: string,
): Promise<Uint8Array> {
  const { doc, type } = await startDocument(info, fontPath);
  const page = doc.addPage(PageSizes.A4);

  const footerHeight = 18;
  const contentMargins = { ...MARGINS, bottom: MARGINS.bottom + footerHeight };
  const scale = SCALES.find((s) => {
    const trial = new Sheet(page, type, s, false, contentMargins);
    compose(trial);
    return trial.y >= trial.bottom;
  });
  if (scale === undefined) throw new PageOverflowError(info.title);

  compose(new Sheet(page, type, scale, true, contentMargins));
  const footMargins = { ...MARGINS, top: page.getHeight() - MARGINS.bottom - 10 };
  const foot = new Sheet(page, type, 1, true, footMargins);
  foot.centred(footer, { size: 8, color: GREY });
  return finishDocument(doc, info);
}
