/**
 * Reads the signatures of any PDF for the public /verify page: who signed (the certificate's
 * O and CN), when (/M), and whether the signed bytes are intact — the byte ranges cover the
 * file but for the signature itself, the digest matches, the CMS signature verifies with the
 * embedded certificate. Whether that certificate is to be trusted is the caller's question
 * (the chain is returned for pki/ to judge against CertDesk's roots).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, type Name } from '@peculiar/asn1-x509';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString } from '@cantoo/pdf-lib';
import { verifyCadesDetached } from './cms-verify.ts';
import { firstElement } from '../pki/der.ts';

export interface NameSummary {
  /** O */
  organisation?: string;
  /** CN */
  commonName?: string;
}

export interface PdfSignatureReport {
  /** The signature field's name (/T), when a field points at this signature. */
  fieldName?: string;
  /** /SubFilter, e.g. ETSI.CAdES.detached */
  subFilter?: string;
  signer: NameSummary;
  issuer: NameSummary;
  /** The claimed signing time, /M; absent when the dictionary has none or it is unreadable. */
  signingTime?: Date;
  reason?: string;
  location?: string;
  byteRange: number[];
  /** The byte ranges are well formed and cover the whole file except this signature's /Contents. */
  coversWholeFile: boolean;
  /** The digest of the signed bytes equals the one the signature carries. */
  digestMatches: boolean;
  /** The CMS signature verifies with the embedded signer certificate. */
  signatureVerifies: boolean;
  /** The signature's ESS attribute names that certificate (PAdES requires one); absent without. */
  certificateBound?: boolean;
  /** The signed ranges are unchanged and the signature verifies (later revisions may follow). */
  intact: boolean;
  /** The certificates in the signature, DER, the signer's first. */
  certificates: Uint8Array[];
  /** Why it is not intact, in English, for logs. */
  problem?: string;
}

const ATTR_O = '2.5.4.10';
const ATTR_CN = '2.5.4.3';

function summarise(name: Name): NameSummary {
  const summary: NameSummary = {};
  for (const rdn of name) {
    for (const atv of rdn) {
      if (atv.type === ATTR_O) summary.organisation = atv.value.toString();
      if (atv.type === ATTR_CN) summary.commonName = atv.value.toString();
    }
  }
  return summary;
}

function textOf(dict: PDFDict, key: string): string | undefined {
  const value = dict.get(PDFName.of(key));
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
}

const HEX = /^[0-9A-Fa-f\s]*$/;

/** Checks the ranges' shape: [0, a, b, c] with the gap a…b exactly a hex string <…>. */
function rangesProblem(pdf: Uint8Array, range: number[]): string | undefined {
  const [start, gapStart, gapEnd, tail] = range;
  if (range.length !== 4 || start !== 0 || gapStart === undefined || gapEnd === undefined || tail === undefined) {
    return 'the byte range is not [0 a b c]';
  }
  if (!(gapStart < gapEnd && gapEnd + tail <= pdf.length)) return 'the byte range lies outside the file';
  const gap = Buffer.from(pdf.subarray(gapStart, gapEnd)).toString('latin1');
  if (!gap.startsWith('<') || !gap.endsWith('>') || !HEX.test(gap.slice(1, -1))) {
    return 'the byte range leaves out more than the signature value';
  }
  return undefined;
}

/** The name of each field whose value is a signature dictionary, by that dictionary's ref. */
function fieldNames(doc: PDFDocument): Map<string, string> {
  const names = new Map<string, string>();
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict)) continue;
    const value = object.get(PDFName.of('V'));
    const name = textOf(object, 'T');
    if (value instanceof PDFRef && name !== undefined) names.set(value.toString(), name);
  }
  return names;
}

/** Every signature in `pdf`, in file order; an unreadable file has none. */
export async function inspectPdfSignatures(pdf: Uint8Array): Promise<PdfSignatureReport[]> {
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true });
  } catch {
    return [];
  }
  const names = fieldNames(doc);
  const reports: Array<{ at: number; report: PdfSignatureReport }> = [];
  for (const [ref, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict)) continue;
    const contents = object.get(PDFName.of('Contents'));
    const byteRange = object.lookupMaybe(PDFName.of('ByteRange'), PDFArray);
    if (!(contents instanceof PDFHexString) || byteRange === undefined) continue;

    const range = byteRange.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : -1));
    const shape = rangesProblem(pdf, range);
    const [, gapStart = 0, gapEnd = 0, tail = 0] = range;
    const signed = shape === undefined ? [pdf.subarray(0, gapStart), pdf.subarray(gapEnd, gapEnd + tail)] : [];
    const check = verifyCadesDetached(firstElement(contents.asBytes()), signed);
    const signer = check.signerCertificate === undefined ? undefined : AsnConvert.parse(check.signerCertificate, Certificate);
    const when = object.get(PDFName.of('M'));
    let signingTime: Date | undefined;
    try {
      signingTime = when instanceof PDFString ? when.decodeDate() : undefined;
    } catch {
      signingTime = undefined;
    }
    const subFilter = object.lookupMaybe(PDFName.of('SubFilter'), PDFName)?.decodeText();
    const fieldName = names.get(ref.toString());
    const reason = textOf(object, 'Reason');
    const location = textOf(object, 'Location');
    const intact =
      shape === undefined && check.digestMatches && check.signatureVerifies && check.certificateBound !== false;
    const problem = shape ?? check.problem;
    reports.push({
      at: gapStart,
      report: {
        ...(fieldName === undefined ? {} : { fieldName }),
        ...(subFilter === undefined ? {} : { subFilter }),
        signer: signer === undefined ? {} : summarise(signer.tbsCertificate.subject),
        issuer: signer === undefined ? {} : summarise(signer.tbsCertificate.issuer),
        ...(signingTime === undefined ? {} : { signingTime }),
        ...(reason === undefined ? {} : { reason }),
        ...(location === undefined ? {} : { location }),
        byteRange: range,
        coversWholeFile: shape === undefined && gapEnd + tail === pdf.length,
        digestMatches: check.digestMatches,
        signatureVerifies: check.signatureVerifies,
        ...(check.certificateBound === undefined ? {} : { certificateBound: check.certificateBound }),
        intact,
        certificates: check.certificates,
        ...(problem === undefined || intact ? {} : { problem }),
      },
    });
  }
  return reports.sort((a, b) => a.at - b.at).map((r) => r.report);
}
