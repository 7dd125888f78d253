import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDict, PDFDocument, PDFName } from '@cantoo/pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSignedContract, renderContract } from './contract.ts';
import { inspectPdfSignatures } from './inspect.ts';
import { type TestCa, drawTestSeal, makeTestCa, pdfsig, sampleContract, skipWithout, trustInNss } from './testing.ts';

const skip = skipWithout('合同测试', { font: true, tools: ['pdfsig', 'certutil', 'qpdf', 'pdftotext', 'pdftoppm'] });

const resultsDir = join(process.cwd(), 'test-results', 'pdf');
const file = (name: string): string => join(resultsDir, name);

const text = (path: string): string =>
  execFileSync('/usr/bin/pdftotext', ['-raw', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
const squeeze = (s: string): string => s.replace(/\s+/g, '');

describe.skipIf(skip)('the signed contract (数字证书及电子印章服务合同)', () => {
  let ca: TestCa;
  let nss: string;
  let seal: Uint8Array;
  let signed: Uint8Array;
  let tampered: Uint8Array;

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    ca = makeTestCa();
    nss = trustInNss(ca);
    seal = await drawTestSeal();
    const input = sampleContract(seal);
    signed = await makeSignedContract(input, {
      signer: ca.signer,
      certificate: ca.certificateDer,
      chain: [ca.caDer],
    });
    writeFileSync(file('contract.pdf'), signed);
    // One byte a third of the way in: inside the signed content, well before the signature.
    tampered = Uint8Array.from(signed);
    tampered[Math.floor(signed.length / 3)]! ^= 0x01;
    writeFileSync(file('contract-tampered.pdf'), tampered);
  });

  afterAll(() => rmSync(ca.dir, { recursive: true, force: true }));

  it('pdfsig: valid, trusted through the CA in an NSS database, the total document signed', () => {
    const report = pdfsig(file('contract.pdf'), nss);
    expect(report.signatures).toBe(1);
    expect(report.valid, report.raw).toBe(true);
    expect(report.trusted, report.raw).toBe(true);
    expect(report.totalDocumentSigned).toBe(true);
    expect(report.signingTime).toBe('Nov 25 2026 06:24:05');
  });

  it('pdfsig and inspectPdfSignatures: one changed byte breaks the signature', async () => {
    const report = pdfsig(file('contract-tampered.pdf'), nss);
    expect(report.valid).toBe(false);
    expect(report.digestMismatch, report.raw).toBe(true);
    const [bad] = await inspectPdfSignatures(tampered);
    expect(bad).toMatchObject({ intact: false, digestMatches: false });
    const [good] = await inspectPdfSignatures(signed);
    expect(good).toMatchObject({ intact: true, coversWholeFile: true, signer: { commonName: report.commonName } });
  });

  it('reads in Chinese: the title, both parties, the masked operator and the signing record', () => {
    const all = squeeze(text(file('contract.pdf')));
    for (const expected of [
      '数字证书及电子印章服务合同',
      '内蒙古自治区呼和浩特市赛罕区教育局直属机关事务服务中心',
      '12150105MB1234567X',
      '第一条服务内容',
      '经办人（签字）：张晓燕',
      '电子签署',
      '150105********2345',
      '138****2345',
      '电子签署记录',
      '本人已同意签署合同2026-11-2514:24:03（北京时间）',
      '合同版本第1版',
    ]) {
      expect(all).toContain(expected);
    }
    expect(all).not.toContain('150105199003152345');
    expect(all).not.toContain('13847112345');
  });

  it('numbers its pages 第 n 页 / 共 N 页 and puts the signature widget on the seal', async () => {
    const doc = await PDFDocument.load(signed);
    const count = doc.getPageCount();
    expect(count).toBeGreaterThanOrEqual(2);
    const all = text(file('contract.pdf'));
    for (let n = 1; n <= count; n++) expect(all).toContain(`第 ${n} 页 / 共 ${count} 页`);
    const { signatureField } = await renderContract(sampleContract(seal));
    const page = doc.getPage(signatureField.page);
    const annots = page.node.Annots()?.asArray() ?? [];
    expect(annots).toHaveLength(1);
    const widget = doc.context.lookup(annots[0]!, PDFDict);
    expect(widget.get(PDFName.of('FT'))).toBe(PDFName.of('Sig'));
    const [x1, y1, x2, y2] = signatureField.rect;
    expect(x2 - x1).toBeCloseTo(119, 0); // 42 mm
    expect(y2 - y1).toBeCloseTo(119, 0);
  });

  it('prints names with <script>, parentheses and backslashes as plain text', async () => {
    const hostile = '张三<script>alert(1)</script>(\\)';
    const orgName = '某某公司</Contents>) Tj ET (\\';
    const input = sampleContract(seal, {
      operator: { name: hostile, idNumber: '150105199003152345', phone: '13847112345' },
      organisation: { name: orgName, uscc: '12150105MB1234567X' },
    });
    const pdf = await makeSignedContract(input, {
      signer: ca.signer,
      certificate: ca.certificateDer,
      chain: [ca.caDer],
    });
    writeFileSync(file('contract-hostile-names.pdf'), pdf);
    const all = squeeze(text(file('contract-hostile-names.pdf')));
    expect(all).toContain(squeeze(hostile));
    expect(all).toContain(squeeze(orgName));
    expect(pdfsig(file('contract-hostile-names.pdf'), nss).valid).toBe(true);
    expect((await PDFDocument.load(pdf)).getSubject()).toContain(orgName);
  });

  it('qpdf finds no error, and page 1 renders', () => {
    const check = spawnSync('qpdf', ['--check', file('contract.pdf')], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '2', file('contract.pdf'), file('contract')]);
    expect(existsSync(file('contract-1.png'))).toBe(true);
  });
});
