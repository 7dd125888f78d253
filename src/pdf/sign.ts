/**
 * PAdES baseline B-B signing of any PDF (ETSI EN 319 142-1, SubFilter ETSI.CAdES.detached).
 * The signature is appended as an incremental update — the signature dictionary, a signature
 * field whose widget sits on the chosen page, the page and catalog that now point at them, and
 * a cross-reference section — so the bytes that came in stay exactly as they were, and a PDF
 * that is already signed keeps its earlier signatures. /Contents is reserved as zeros, the
 * byte ranges are written around it, and the CMS (cms.ts) is patched into the same buffer:
 * nothing is serialised twice.
 */
import { createHash } from 'node:crypto';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  type PDFObject,
  PDFRawStream,
  PDFRef,
  PDFString,
} from '@cantoo/pdf-lib';
import { type CmsSigningInput, cadesDetachedSignature, signatureSizeBound } from './cms.ts';
import { PdfSignError } from './errors.ts';

/** Where the signature's widget goes; without one the signature is invisible on page 1. */
export interface SignatureField {
  /** Page index, 0-based. */
  page: number;
  /** [x1, y1, x2, y2] in PDF points from the page's lower-left corner. */
  rect: [number, number, number, number];
}

export interface PdfSigning extends CmsSigningInput {
  /** The claimed signing time, written as /M (PAdES keeps it out of the CMS: see cms.ts). */
  signingTime: Date;
  reason?: string;
  location?: string;
  /** The signer's name as readers show it beside the certificate's subject. */
  name?: string;
  field?: SignatureField;
}

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
/** Wide enough for any file offset below 10 GB, so the real numbers always fit in its place. */
const BYTE_RANGE_PLACEHOLDER = 9_999_999_999;

/** The offset the last `startxref` points at: the previous cross-reference section. */
function previousXref(pdf: Uint8Array): number {
  const tail = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).subarray(-1024).toString('latin1');
  const match = [...tail.matchAll(/startxref\s+(\d+)/g)].at(-1);
  if (match === undefined) throw new PdfSignError('PDF_SIGN_UNREADABLE', '无法识别的 PDF 文件 / Not a PDF: no startxref');
  return Number(match[1]);
}

/**
 * /Size of the previous trailer (or xref stream). pdf-lib does not count object streams among
 * the objects it loads, so its largest object number can be below numbers already in use.
 */
function previousSize(pdf: Uint8Array, prev: number): number {
  const head = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).subarray(prev).toString('latin1');
  const match = /\/Size\s+(\d+)/.exec(head);
  return match === null ? 0 : Number(match[1]);
}

function serialise(ref: PDFRef, object: PDFObject): Buffer {
  const body = Buffer.alloc(object.sizeInBytes());
  object.copyBytesInto(body, 0);
  return Buffer.concat([latin1(`${ref.objectNumber} ${ref.generationNumber} obj\n`), body, latin1('\nendobj\n')]);
}

/** Consecutive object numbers as [first, count] runs, for /Index and xref subsections. */
function runs(numbers: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const n of numbers) {
    const last = out.at(-1);
    if (last !== undefined && last[0] + last[1] === n) last[1]++;
    else out.push([n, 1]);
  }
  return out;
}

/** Adds `ref` to the array at `key` of `dict`; returns the ref of an indirect array it changed. */
function appendTo(doc: PDFDocument, dict: PDFDict, key: string, ref: PDFRef): PDFRef | undefined {
  const current = dict.get(PDFName.of(key));
  if (current instanceof PDFRef) {
    doc.context.lookup(current, PDFArray).push(ref);
    return current;
  }
  if (current instanceof PDFArray) current.push(ref);
  else dict.set(PDFName.of(key), doc.context.obj([ref]));
  return undefined;
}

/** A field name not yet used at the top of the form. */
function freeFieldName(doc: PDFDocument, fields: PDFArray | undefined): string {
  const used = new Set<string>();
  for (const item of fields?.asArray() ?? []) {
    const field = doc.context.lookup(item);
    const title = field instanceof PDFDict ? field.get(PDFName.of('T')) : undefined;
    if (title instanceof PDFString || title instanceof PDFHexString) used.add(title.decodeText());
  }
  let n = 1;
  while (used.has(`Signature${n}`)) n++;
  return `Signature${n}`;
}

interface Update {
  objects: Array<{ ref: PDFRef; bytes: Buffer }>;
  placeholderBytes: number;
}

/** The new and changed objects of the update, the signature dictionary with its placeholders. */
function signatureObjects(doc: PDFDocument, signing: PdfSigning): Update {
  const { context } = doc;
  const field = signing.field ?? { page: 0, rect: [0, 0, 0, 0] };
  const pages = doc.getPages();
  const page = pages[field.page];
  if (page === undefined) {
    throw new PdfSignError('PDF_SIGN_NO_PAGE', `签名页不存在：第 ${field.page + 1} 页 / No page ${field.page + 1}`);
  }
  const changed = new Set<PDFRef>();
  const placeholderBytes = signatureSizeBound(signing);
  const text = (value: string | undefined): PDFHexString | undefined =>
    value === undefined ? undefined : PDFHexString.fromText(value);

  const sigDict = context.obj({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: 'ETSI.CAdES.detached',
    ByteRange: [0, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER],
    Contents: PDFHexString.of('0'.repeat(placeholderBytes * 2)),
    M: PDFString.fromDate(signing.signingTime),
    Name: text(signing.name),
    Reason: text(signing.reason),
    Location: text(signing.location),
  });
  const sigRef = context.register(sigDict);

  const [x1, y1, x2, y2] = field.rect;
  // An empty appearance: what the page shows there (the seal) is page content, drawn beneath.
  const appearance = PDFRawStream.of(
    context.obj({ Type: 'XObject', Subtype: 'Form', BBox: [0, 0, Math.abs(x2 - x1), Math.abs(y2 - y1)] }),
    new Uint8Array(0),
  );
  const appearanceRef = context.register(appearance);

  const catalog = doc.catalog;
  const acroFormEntry = catalog.get(PDFName.of('AcroForm'));
  let acroForm: PDFDict;
  if (acroFormEntry instanceof PDFRef) {
    acroForm = context.lookup(acroFormEntry, PDFDict);
    changed.add(acroFormEntry);
  } else if (acroFormEntry instanceof PDFDict) {
    acroForm = acroFormEntry;
  } else {
    acroForm = context.obj({});
    catalog.set(PDFName.of('AcroForm'), acroForm);
  }
  const existingFields = acroForm.lookupMaybe(PDFName.of('Fields'), PDFArray);

  const widget = context.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFHexString.fromText(freeFieldName(doc, existingFields)),
    V: sigRef,
    Rect: [x1, y1, x2, y2],
    F: 132, // Print | Locked
    P: page.ref,
    AP: { N: appearanceRef },
  });
  const widgetRef = context.register(widget);

  const annots = appendTo(doc, page.node, 'Annots', widgetRef);
  changed.add(annots ?? page.ref);
  const fields = appendTo(doc, acroForm, 'Fields', widgetRef);
  if (fields !== undefined) changed.add(fields);
  // SignaturesExist | AppendOnly: viewers must save further changes as incremental updates.
  acroForm.set(PDFName.of('SigFlags'), PDFNumber.of(3));
  if (!(acroFormEntry instanceof PDFRef)) {
    const root = context.trailerInfo.Root;
    if (!(root instanceof PDFRef)) {
      throw new PdfSignError('PDF_SIGN_UNREADABLE', '无法识别的 PDF 文件 / Not a PDF: no catalog');
    }
    changed.add(root);
  }

  const refs = [appearanceRef, widgetRef, ...changed, sigRef];
  return {
    objects: refs.map((ref) => ({ ref, bytes: serialise(ref, context.lookup(ref)!) })),
    placeholderBytes,
  };
}

/** The cross-reference section of the update and its trailer, matching the original's kind. */
function crossReference(
  doc: PDFDocument,
  offsets: Map<number, number>,
  at: number,
  prev: number,
  classic: boolean,
): Buffer {
  const { trailerInfo } = doc.context;
  const extra = [
    `/Root ${String(trailerInfo.Root)}`,
    trailerInfo.Info === undefined ? '' : `/Info ${String(trailerInfo.Info)}`,
    trailerInfo.ID === undefined ? '' : `/ID ${String(trailerInfo.ID)}`,
    `/Prev ${prev}`,
  ].filter((s) => s !== '');
  if (classic) {
    const size = doc.context.largestObjectNumber + 1;
    const numbers = [...offsets.keys()].sort((a, b) => a - b);
    const lines = ['xref'];
    for (const [first, count] of runs(numbers)) {
      lines.push(`${first} ${count}`);
      for (let n = first; n < first + count; n++) {
        lines.push(`${String(offsets.get(n)).padStart(10, '0')} 00000 n\r`);
      }
    }
    const trailer = `trailer\n<< /Size ${size} ${extra.join(' ')} >>\nstartxref\n${at}\n%%EOF\n`;
    return latin1(`${lines.join('\n')}\n${trailer}`);
  }
  // An xref stream (the original has one, and the two kinds should not be mixed): its own
  // object takes the next number; rows are type 1, a 4-byte offset and a 2-byte generation.
  const own = doc.context.largestObjectNumber + 1;
  offsets.set(own, at);
  const numbers = [...offsets.keys()].sort((a, b) => a - b);
  const rows = Buffer.alloc(numbers.length * 7);
  numbers.forEach((n, i) => {
    rows.writeUInt8(1, i * 7);
    rows.writeUInt32BE(offsets.get(n)!, i * 7 + 1);
    rows.writeUInt16BE(0, i * 7 + 5);
  });
  const index = runs(numbers).flat().join(' ');
  const dict =
    `${own} 0 obj\n<< /Type /XRef /Size ${own + 1} /Index [${index}] /W [1 4 2] ` +
    `${extra.join(' ')} /Length ${rows.length} >>\nstream\n`;
  return Buffer.concat([latin1(dict), rows, latin1(`\nendstream\nendobj\nstartxref\n${at}\n%%EOF\n`)]);
}

/** Finds `marker` at or after `from`; the markers are ours, so absence is a bug, not input. */
function indexOf(buffer: Buffer, marker: string, from: number): number {
  const at = buffer.indexOf(marker, from, 'latin1');
  if (at < 0) throw new Error(`signature placeholder ${marker} not found`);
  return at;
}

/** Signs `pdfBytes` as described in the module header; returns the signed file. */
export async function signPdf(pdfBytes: Uint8Array, signing: PdfSigning): Promise<Uint8Array> {
  const prev = previousXref(pdfBytes);
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdfBytes, { updateMetadata: false, ignoreEncryption: true });
  } catch (error) {
    throw new PdfSignError('PDF_SIGN_UNREADABLE', `无法读取 PDF：${(error as Error).message} / Unreadable PDF`);
  }
  if (doc.context.trailerInfo.Encrypt !== undefined) {
    throw new PdfSignError('PDF_SIGN_ENCRYPTED', '不能签署加密的 PDF / Cannot sign an encrypted PDF');
  }
  const classic = Buffer.from(pdfBytes.subarray(prev, prev + 4)).toString('latin1') === 'xref';
  doc.context.largestObjectNumber = Math.max(doc.context.largestObjectNumber, previousSize(pdfBytes, prev) - 1);
  const { objects, placeholderBytes } = signatureObjects(doc, signing);

  const chunks: Buffer[] = [Buffer.from(pdfBytes.buffer, pdfBytes.byteOffset, pdfBytes.byteLength)];
  let length = pdfBytes.length;
  if (pdfBytes[length - 1] !== 0x0a) {
    chunks.push(latin1('\n'));
    length++;
  }
  const offsets = new Map<number, number>();
  for (const { ref, bytes } of objects) {
    offsets.set(ref.objectNumber, length);
    chunks.push(bytes);
    length += bytes.length;
  }
  const sigOffset = offsets.get(objects.at(-1)!.ref.objectNumber)!;
  chunks.push(crossReference(doc, offsets, length, prev, classic));
  const out = Buffer.concat(chunks);

  // The gap is the hex string /Contents <…> itself, delimiters included (ISO 32000-1, 12.8.1).
  const contentsStart = indexOf(out, '/Contents <', sigOffset) + '/Contents '.length;
  const contentsEnd = contentsStart + placeholderBytes * 2 + 2;
  const range = [0, contentsStart, contentsEnd, out.length - contentsEnd];
  const rangeStart = indexOf(out, '/ByteRange [', sigOffset) + '/ByteRange '.length;
  const rangeEnd = indexOf(out, ']', rangeStart) + 1;
  out.write(`[${range.join(' ')}]`.padEnd(rangeEnd - rangeStart, ' '), rangeStart, 'latin1');

  const digest = createHash('sha256')
    .update(out.subarray(0, contentsStart))
    .update(out.subarray(contentsEnd))
    .digest();
  const cms = cadesDetachedSignature(digest, signing);
  if (cms.length > placeholderBytes) {
    throw new PdfSignError(
      'PDF_SIGN_SPACE',
      `签名数据（${cms.length} 字节）超出预留空间（${placeholderBytes} 字节） / The signature does not fit`,
    );
  }
  out.write(Buffer.from(cms).toString('hex'), contentsStart + 1, 'latin1');
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
