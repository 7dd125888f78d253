/**
 * The signed contract over HTTP (the manual: 系统生成带签名和内蒙古CA签章的电子合同): 本人已同意签署合同
 * makes a PDF signed by CertDesk's own CA. Outside verifiers judge it: poppler's pdfsig says the
 * signature is valid, the document unchanged and — with CertDesk's root in an NSS database, and
 * the certificate's status asked of this app's OCSP responder — the certificate trusted; one
 * changed byte makes it fail. pdftotext finds the organisation and the title; the audit log holds
 * the PDF's SHA-256.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema.ts';
import { pdfsigAsync, skipWithout, trustInNss } from '../../src/pdf/testing.ts';
import { startTestApp, testConfig, type TestApp } from '../support/app.ts';
import { acceptContract, company, loggedInApplicant, verifiedDraft } from '../support/applicant.ts';
import { freePort } from '../support/process.ts';

const missing = skipWithout('the signed contract', { font: true, tools: ['pdfsig', 'pdftotext', 'certutil'] });

describe.skipIf(missing)('电子合同（PDF）', () => {
  let t: TestApp;
  const dir = mkdtempSync(path.join(tmpdir(), 'certdesk-contract-'));
  beforeAll(async () => {
    // The certificates name this app's OCSP and CA addresses: it listens where they point.
    const port = await freePort();
    const base = testConfig();
    t = await startTestApp({ config: { port, ca: { ...base.ca, baseUrl: `http://127.0.0.1:${port}` } } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is signed by the CA, trusted through its root, intact, and fails after one changed byte', async () => {
    const applicant = await loggedInApplicant(t);
    const draft = await verifiedDraft(applicant);
    expect((await applicant.get(`/api/applications/${draft.id}/contract.pdf`)).status).toBe(404);
    await acceptContract(applicant, draft.id, 'sign');

    const res = await fetch(`${t.url}/api/applications/${draft.id}/contract.pdf`, { headers: { cookie: applicant.cookie ?? '' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    const file = path.join(dir, 'contract.pdf');
    writeFileSync(file, pdf);

    // CertDesk's P-256 root, as anyone downloads it from /ca/…, in an NSS database.
    const rootName = t.certdesk.ca.cas.roots.p256.name;
    const root = Buffer.from(await (await fetch(`${t.url}/ca/${rootName}.crt`)).arrayBuffer());
    const rootPem = path.join(dir, 'root.pem');
    writeFileSync(rootPem, `-----BEGIN CERTIFICATE-----\n${root.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`);
    const nss = trustInNss({ dir, caPemPath: rootPem });

    const report = await pdfsigAsync(file, nss);
    expect(report.valid, report.raw).toBe(true);
    expect(report.trusted, report.raw).toBe(true);
    expect(report.totalDocumentSigned, report.raw).toBe(true);

    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain(company.name);
    expect(text.replace(/\s+/g, '')).toContain('数字证书及电子印章服务合同');

    const [signed] = await t.certdesk.database.db
      .select({ data: auditLog.data })
      .from(auditLog)
      .where(and(eq(auditLog.entityId, draft.id), eq(auditLog.action, 'contract.sign')));
    expect(signed?.data['pdfSha256']).toBe(createHash('sha256').update(pdf).digest('hex'));

    // One byte of the signed text changed: the digest no longer matches.
    const tampered = Buffer.from(pdf);
    const at = tampered.indexOf('/Type /Page');
    tampered[at + 1] = 'X'.charCodeAt(0);
    const bad = path.join(dir, 'tampered.pdf');
    writeFileSync(bad, tampered);
    const after = await pdfsigAsync(bad, nss);
    expect(after.valid, after.raw).toBe(false);

    // The public /verify says who signed it, when, and whether it is intact.
    const judged = await verifyUpload(pdf, 'contract.pdf');
    expect(judged).toMatchObject({ kind: 'pdf', verdictLabel: '有效' });
    expect(JSON.stringify(judged.details)).toContain(t.config.caName);
    const broken = await verifyUpload(tampered, 'contract.pdf');
    expect(broken.verdictLabel).toBe('无效');
    expect(broken.reasons.join()).toContain('文档内容已被修改');
  });

  async function verifyUpload(data: Buffer, name: string): Promise<{ kind: string; verdictLabel: string; details: { label: string; value: string }[]; reasons: string[] }> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(data)], { type: 'application/pdf' }), name);
    const res = await fetch(`${t.url}/api/verify`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    return (await res.json()) as never;
  }

  it('belongs to its applicant', async () => {
    const owner = await loggedInApplicant(t);
    const draft = await verifiedDraft(owner);
    await acceptContract(owner, draft.id, 'sign');
    const stranger = await loggedInApplicant(t);
    expect((await stranger.get(`/api/applications/${draft.id}/contract.pdf`)).status).toBe(404);
  });
});
