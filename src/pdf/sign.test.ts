import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContentInfo, SignedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateP256 } from '../pki/signer.ts';
import { id_signingCertificateV2 } from './cms.ts';
import { firstElement } from '../pki/der.ts';
import { renderApplicationForm } from './forms.ts';
import { inspectPdfSignatures } from './inspect.ts';
import { signPdf } from './sign.ts';
import { type TestCa, makeTestCa, pdfsig, skipWithout, trustInNss } from './testing.ts';

const skip = skipWithout('签名测试', { tools: ['pdfsig', 'pdftocairo', 'certutil', 'qpdf', 'openssl'] });

const resultsDir = join(process.cwd(), 'test-results', 'pdf');
const signingTime = new Date('2026-11-25T06:24:05Z');

/** A PDF with a classic cross-reference table (pdf-lib writes an xref stream by default). */
async function classicPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage().drawText('CertDesk test document', { x: 72, y: 720, font, size: 14 });
  return doc.save({ useObjectStreams: false });
}

function qpdfCheck(file: string): { ok: boolean; output: string } {
  const result = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** The DER CMS inside /Contents, without the zeros that pad the placeholder. */
function contentsOf(pdf: Uint8Array, range: number[]): Uint8Array {
  const hex = Buffer.from(pdf.subarray(range[1]! + 1, range[2]! - 1)).toString('latin1');
  return firstElement(Buffer.from(hex, 'hex'));
}

/** Flips one digit of the first MediaBox: the file stays well formed, the page changes size. */
function tamper(pdf: Uint8Array): Uint8Array {
  const copy = Buffer.from(pdf);
  const at = copy.indexOf('/MediaBox [ 0 0 595.28', 0, 'latin1') + '/MediaBox [ 0 0 595.2'.length;
  expect(copy[at]).toBe(0x38);
  copy[at] = 0x39;
  return new Uint8Array(copy);
}

describe.skipIf(skip)('signPdf: PAdES B-B, verifiable by poppler, NSS and OpenSSL', () => {
  let ca: TestCa;
  let nss: string;
  let original: Uint8Array;
  let signed: Uint8Array;
  const file = (name: string): string => join(resultsDir, name);

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    ca = makeTestCa();
    nss = trustInNss(ca);
    original = await renderApplicationForm({
      applicationNumber: 'CD20261125000123',
      applicantType: '企业',
      organisationName: '呼和浩特市某某科技有限公司',
      uscc: '91150105MA0N1234X5',
      legalRepresentative: '王建国',
      operatorName: '张晓燕',
      operatorIdNumber: '150105199003152345',
      operatorPhone: '13847112345',
      projectName: '内蒙古自治区政府采购云平台',
      delivery: '自取',
      caName: 'CertDesk 数字证书认证中心',
      date: signingTime,
    });
    signed = await signPdf(original, {
      signer: ca.signer,
      certificate: ca.certificateDer,
      chain: [ca.caDer],
      signingTime,
      reason: '申请表电子签章',
      location: '呼和浩特',
      field: { page: 0, rect: [380, 120, 500, 240] },
    });
    writeFileSync(file('unsigned-form.pdf'), original);
    writeFileSync(file('signed-form.pdf'), signed);
    writeFileSync(file('signed-form-tampered.pdf'), tamper(signed));
  });

  afterAll(() => rmSync(ca.dir, { recursive: true, force: true }));

  it('appends to the original: its bytes are untouched', () => {
    expect(Buffer.compare(Buffer.from(signed.subarray(0, original.length)), Buffer.from(original))).toBe(0);
  });

  it('pdfsig: valid, the whole document signed, trusted once the CA is in the NSS database', () => {
    const untrusted = pdfsig(file('signed-form.pdf'));
    expect(untrusted.valid, untrusted.raw).toBe(true);
    expect(untrusted.trusted).toBe(false);
    const report = pdfsig(file('signed-form.pdf'), nss);
    expect(report.signatures).toBe(1);
    expect(report.valid, report.raw).toBe(true);
    expect(report.totalDocumentSigned).toBe(true);
    expect(report.trusted, report.raw).toBe(true);
    expect(report.raw).toContain('ETSI.CAdES.detached');
    expect(report.signingTime).toBe('Nov 25 2026 06:24:05');
  });

  it('pdfsig: one changed byte is a digest mismatch', () => {
    const report = pdfsig(file('signed-form-tampered.pdf'), nss);
    expect(report.valid).toBe(false);
    expect(report.digestMismatch, report.raw).toBe(true);
  });

  it('inspectPdfSignatures agrees with pdfsig on the good and the tampered file', async () => {
    const [good] = await inspectPdfSignatures(signed);
    expect(good).toMatchObject({
      fieldName: 'Signature1',
      subFilter: 'ETSI.CAdES.detached',
      signer: { organisation: 'CertDesk 数字证书认证中心', commonName: 'CertDesk 电子合同签章' },
      issuer: { commonName: 'CertDesk 测试根证书' },
      reason: '申请表电子签章',
      location: '呼和浩特',
      coversWholeFile: true,
      digestMatches: true,
      signatureVerifies: true,
      intact: true,
    });
    expect(good?.signingTime?.toISOString()).toBe(signingTime.toISOString());
    expect(good?.certificates.map((c) => Buffer.from(c).toString('hex'))).toEqual(
      [ca.certificateDer, ca.caDer].map((c) => Buffer.from(c).toString('hex')),
    );
    expect(pdfsig(file('signed-form.pdf')).commonName).toBe(good?.signer.commonName);

    const [bad] = await inspectPdfSignatures(tamper(signed));
    expect(bad).toMatchObject({ coversWholeFile: true, digestMatches: false, intact: false });
    expect(bad?.problem).toMatch(/digest/);
  });

  it('OpenSSL verifies the CMS over the byte ranges, ESS signing-certificate-v2 included', () => {
    const range = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/.exec(Buffer.from(signed).toString('latin1'))!;
    const r = range.slice(1).map(Number);
    const cms = contentsOf(signed, r);
    writeFileSync(file('signed-form.p7s'), cms);
    writeFileSync(
      file('signed-form.ranges'),
      Buffer.concat([signed.subarray(0, r[1]), signed.subarray(r[2]!, r[2]! + r[3]!)]),
    );
    const out = execFileSync(
      'openssl',
      ['cms', '-verify', '-binary', '-inform', 'DER', '-in', file('signed-form.p7s'), '-content',
        file('signed-form.ranges'), '-CAfile', ca.caPemPath, '-purpose', 'any', '-out', '/dev/null'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out).toBe('');
  });

  it('signs with content-type, message-digest and signing-certificate-v2 only: the time is /M', () => {
    const range = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/.exec(Buffer.from(signed).toString('latin1'))!;
    const info = AsnConvert.parse(contentsOf(signed, range.slice(1).map(Number)), ContentInfo);
    const data = AsnConvert.parse(info.content, SignedData);
    const types = data.signerInfos[0]?.signedAttrs?.map((a) => a.attrType).sort();
    expect(types).toEqual(['1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4', id_signingCertificateV2].sort());
    expect(data.encapContentInfo.eContent).toBeUndefined();
    expect(Buffer.from(signed).toString('latin1')).toContain('/M (D:20261125062405Z)');
  });

  it('qpdf finds no error in the signed file', () => {
    const check = qpdfCheck(file('signed-form.pdf'));
    expect(check.ok, check.output).toBe(true);
    expect(check.output).not.toMatch(/WARNING/);
  });

  it('signs a PDF with a classic xref table, and a second signature keeps the first', async () => {
    const once = await signPdf(await classicPdf(), { signer: ca.signer, certificate: ca.certificateDer, chain: [ca.caDer], signingTime });
    const twice = await signPdf(once, { signer: ca.signer, certificate: ca.certificateDer, chain: [ca.caDer], signingTime });
    writeFileSync(file('signed-twice.pdf'), twice);
    expect(qpdfCheck(file('signed-twice.pdf')).ok).toBe(true);
    const report = pdfsig(file('signed-twice.pdf'), nss);
    expect(report.signatures).toBe(2);
    expect(report.raw.match(/Signature is Valid\./g)?.length, report.raw).toBe(2);
    const [first, second] = await inspectPdfSignatures(twice);
    expect(first).toMatchObject({ fieldName: 'Signature1', intact: true, coversWholeFile: false });
    expect(second).toMatchObject({ fieldName: 'Signature2', intact: true, coversWholeFile: true });
  });

  it.each([
    ['qpdf, object streams', ['qpdf', '--object-streams=generate']],
    ['qpdf, linearized', ['qpdf', '--linearize']],
    ['cairo', ['pdftocairo', '-pdf']],
  ])('signs a PDF written by %s', async (label, [tool, ...args]) => {
    const input = file(`written-by-${tool}-${args[0]!.replace(/\W/g, '')}.pdf`);
    execFileSync(tool!, [...args, file('unsigned-form.pdf'), input]);
    const out = await signPdf(new Uint8Array(readFileSync(input)), { signer: ca.signer, certificate: ca.certificateDer, chain: [ca.caDer], signingTime, field: { page: 0, rect: [72, 72, 172, 172] } });
    writeFileSync(input.replace('.pdf', '-signed.pdf'), out);
    const report = pdfsig(input.replace('.pdf', '-signed.pdf'), nss);
    expect(report.valid && report.trusted && report.totalDocumentSigned, `${label}: ${report.raw}`).toBe(true);
    expect(qpdfCheck(input.replace('.pdf', '-signed.pdf')).ok).toBe(true);
    expect((await inspectPdfSignatures(out))[0]).toMatchObject({ intact: true, coversWholeFile: true });
  });

  it('refuses a key that does not match the certificate', async () => {
    await expect(
      signPdf(original, { signer: generateP256().signer, certificate: ca.certificateDer, chain: [], signingTime }),
    ).rejects.toMatchObject({ code: 'PDF_SIGN_KEY_MISMATCH' });
  });

  it('refuses an SM2 signer: no common reader verifies SM2', async () => {
    const sm2 = { ...ca.signer, family: 'sm2' as const, signatureOid: '1.2.156.10197.1.501' };
    await expect(
      signPdf(original, { signer: sm2, certificate: ca.certificateDer, chain: [], signingTime }),
    ).rejects.toMatchObject({ code: 'PDF_SIGN_UNSUPPORTED_KEY' });
  });

  it('refuses what is not a PDF', async () => {
    const notPdf = new TextEncoder().encode('<html>startxref 0 %%EOF</html>');
    await expect(
      signPdf(notPdf, { signer: ca.signer, certificate: ca.certificateDer, chain: [], signingTime }),
    ).rejects.toMatchObject({ code: 'PDF_SIGN_UNREADABLE' });
    expect(await inspectPdfSignatures(notPdf)).toEqual([]);
  });

  it('reports no signature in an unsigned PDF', async () => {
    expect(await inspectPdfSignatures(original)).toEqual([]);
  });
});
