/**
 * The CA over HTTP, checked by outside verifiers: certificates issued from openssl-made CSRs
 * (P-256 and SM2) through the producer's endpoint pass `openssl verify`; the CRL passes
 * `openssl crl -verify`; `openssl ocsp` against the running server says good, then revoked after
 * the revoke endpoint and after `certdesk cert revoke` run as its own process; a software
 * certificate's PKCS#12 opens in `openssl pkcs12` with the one-time password; the seal is made only
 * after the applicant approved its picture and verifies; /api/verify tells ours from foreign ones.
 * SM2 gets a dual pair (双证书): from a CSR, the signing and the encryption certificate (openssl
 * verifies both; the latter is for encipherment) and an envelope that opens with the USB key's
 * signing key to the encryption certificate's key; the KM archive gives back the same key;
 * revoking one revokes both. A software SM2 certificate is one PKCS#12 with both keys.
 */
import { and, eq } from 'drizzle-orm';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema.ts';
import { fireTransition } from '../../src/modules/applications/transitions.ts';
import * as applicationsRepo from '../../src/modules/applications/repository.ts';
import { fromPem, toPem } from '../../src/pki/der.ts';
import { openEnvelopedKey } from '../../src/pki/sm2-envelope.ts';
import { importSm2Pkcs8, sm2Spki } from '../../src/pki/sm2.ts';
import { opensslDir, type OpensslDir } from '../../src/pki/test-openssl.ts';
import { verifySeal } from '../../src/seal/ses.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { runCertdesk } from '../support/process.ts';
import { loggedInApplicant } from '../support/applicant.ts';
import { approve, submittedApplication } from '../support/scenario.ts';
import { TestClient, type ErrorBody } from '../support/http.ts';
import { newStaffAccount, loggedInStaff, staffSession } from '../support/staff.ts';

const realClock = { now: () => new Date() };
const SM2_ID = 'distid:1234567812345678';

let t: TestApp;
let dir: string;
let ossl: OpensslDir;
let producer: TestClient;
let producerId: string;
let financeId: string;

interface CertificateView {
  serialHex: string;
  family: string;
  familyLabel: string;
  profileLabel: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  status: string;
  statusLabel: string;
  usbKeySerial: string | null;
}
interface IssueBody {
  certificates: CertificateView[];
  p12?: { base64: string; password: string; fileName: string };
  envelope?: { base64: string; fileName: string };
}
interface VerifyBody {
  kind: string;
  verdict: string;
  verdictLabel: string;
  details: { label: string; value: string }[];
  reasons: string[];
}

/** Same database and key store as the running app; on PGlite the command reaches the app through its operator socket. */
function cliEnv(): Record<string, string> {
  return {
    CERTDESK_MODE: 'development',
    LOG_LEVEL: 'silent',
    DATA_DIR: dir,
    CA_KEYSTORE_DIR: t.config.ca.keystoreDir,
    ...(process.env['DATABASE_URL'] ? { DATABASE_URL: process.env['DATABASE_URL'] } : {}),
  };
}

/** `npx certdesk …` as an operator runs it, through bin/certdesk.mjs. */
const certdesk = (args: string[]) => runCertdesk(args, cliEnv(), undefined, { viaEntryPoint: true });

/** On its own PGlite directory, where `certdesk` commands with DATA_DIR=dir find it. */
async function startApp(): Promise<TestApp> {
  const pglite = { database: { kind: 'pglite' as const, dataDir: path.join(dir, 'pglite') } };
  return startTestApp({ config: process.env['DATABASE_URL'] ? {} : pglite });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certdesk-ca-'));
  ossl = await opensslDir();
  t = await startApp();
  const p = await staffSession(t, ['producer']);
  producerId = p.id;
  financeId = (await newStaffAccount(t, ['finance'])).id;
  producer = p.client;
  for (const family of ['p256', 'sm2']) {
    for (const role of ['root', 'issuing']) {
      const res = await fetch(`${t.url}/ca/${family}-${role}.crt`);
      expect(res.headers.get('content-type')).toBe('application/pkix-cert');
      await ossl.write(`${family}-${role}.pem`, toPem('CERTIFICATE', new Uint8Array(await res.arrayBuffer())));
    }
  }
  await ossl.write('p256-chain.pem', Buffer.concat([await ossl.read('p256-issuing.pem'), await ossl.read('p256-root.pem')]));
}, 120_000);

afterAll(async () => {
  await t?.close();
  await ossl?.remove();
});

/**
 * An application in 制证中: submitted and 审核通过 through the scenario builders; payment and the
 * start of production are fired directly (the apply, review, payment and production flows have
 * their own suites).
 */
async function inProduction() {
  const applicant = await loggedInApplicant(t);
  const { id } = await submittedApplication(t, applicant);
  await approve(t, realClock, id);
  const reviewer = await loggedInStaff(t, realClock, ['reviewer']);
  const db = t.certdesk.database.db;
  await db.transaction(async (tx) => {
    let row = await applicationsRepo.lockById(tx, id);
    if (!row) throw new Error('application missing');
    const now = new Date();
    row = await fireTransition(tx, row, 'submit_voucher', { kind: 'applicant', id: row.applicantId, phone: applicant.phone ?? '' }, now);
    row = await fireTransition(tx, row, 'confirm_payment', { kind: 'staff', id: financeId, username: 'finance', roles: ['finance'] }, now);
    await fireTransition(tx, row, 'start_production', { kind: 'staff', id: producerId, username: 'producer', roles: ['producer'] }, now);
  });
  return { applicant, reviewer, id };
}

async function csr(family: 'p256' | 'sm2', name: string): Promise<string> {
  const curve = family === 'sm2' ? 'SM2' : 'prime256v1';
  await ossl.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', `${name}.key`);
  const sign = family === 'sm2' ? ['-sm3', '-sigopt', SM2_ID] : ['-sha256'];
  await ossl.openssl('req', '-new', '-key', `${name}.key`, ...sign, '-subj', '/CN=ignored by the CA', '-out', `${name}.csr`);
  return Buffer.from(await ossl.read(`${name}.csr`)).toString('utf8');
}

/** Issues from an openssl CSR (key in `<name>.key`): P-256 gives one certificate, SM2 a dual pair. */
async function issueFromCsr(id: string, family: 'p256' | 'sm2', name: string): Promise<IssueBody> {
  const res = await producer.post<IssueBody>(`/api/production/applications/${id}/certificates`, {
    mode: 'csr',
    csrPem: await csr(family, name),
    usbKeySerial: `USB-${name}`,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.certificates).toHaveLength(family === 'sm2' ? 2 : 1);
  expect(res.body.certificates[0]?.profileLabel).toBe('单位签名证书');
  expect(Boolean(res.body.envelope)).toBe(family === 'sm2');
  return res.body;
}

async function download(applicant: TestClient, id: string, serial: string, file: string): Promise<void> {
  const res = await fetch(`${t.url}/api/applications/${id}/certificates/${serial}.cer`, { headers: { cookie: applicant.cookie ?? '' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pkix-cert');
  await ossl.write(file, toPem('CERTIFICATE', new Uint8Array(await res.arrayBuffer())));
}

function ocsp(cert: string): Promise<string> {
  return ossl.openssl('ocsp', '-issuer', 'p256-issuing.pem', '-cert', cert, '-url', `${t.url}/ocsp`, '-CAfile', 'p256-chain.pem');
}

describe('CA', () => {
  let app: Awaited<ReturnType<typeof inProduction>>;
  let p256: CertificateView;
  let sm2: CertificateView;

  it('issues P-256 and SM2 certificates from CSRs that openssl verifies, with the subject from the application', { timeout: 120_000 }, async () => {
    app = await inProduction();
    p256 = (await issueFromCsr(app.id, 'p256', 'p256-leaf')).certificates[0]!;
    expect(p256).toMatchObject({ family: 'p256', familyLabel: 'ECDSA P-256', profileLabel: '单位签名证书', status: 'valid', statusLabel: '有效', usbKeySerial: 'USB-p256-leaf' });
    expect(p256.subject).toContain('serialNumber=');
    expect(p256.subject).not.toContain('ignored');
    await download(app.applicant, app.id, p256.serialHex, 'p256-leaf.pem');
    expect(await ossl.openssl('verify', '-CAfile', 'p256-chain.pem', 'p256-leaf.pem')).toContain('p256-leaf.pem: OK');

    const sm2Pair = await issueFromCsr(app.id, 'sm2', 'sm2-leaf');
    sm2 = sm2Pair.certificates[0]!;
    expect(sm2.familyLabel).toBe('SM2');
    await download(app.applicant, app.id, sm2.serialHex, 'sm2-leaf.pem');
    // OpenSSL 3.0 passes the SM2 ID only to the leaf's check: verify the chain link by link.
    expect(await ossl.openssl('verify', '-vfyopt', SM2_ID, '-CAfile', 'sm2-root.pem', 'sm2-issuing.pem')).toContain('OK');
    expect(await ossl.openssl('verify', '-vfyopt', SM2_ID, '-partial_chain', '-CAfile', 'sm2-issuing.pem', 'sm2-leaf.pem')).toContain('sm2-leaf.pem: OK');
    const text = await ossl.openssl('x509', '-in', 'sm2-leaf.pem', '-noout', '-text');
    expect(text).toContain('/crl/sm2-issuing.crl');

    const artefacts = await app.applicant.get<{ certificates: CertificateView[] }>(`/api/applications/${app.id}/artefacts`);
    expect(artefacts.body.certificates.map((c) => c.serialHex)).toEqual([p256.serialHex, ...sm2Pair.certificates.map((c) => c.serialHex)]);
    expect(artefacts.body.certificates.map((c) => c.profileLabel)).toEqual(['单位签名证书', '单位签名证书', '单位加密证书']);
  });

  it('makes an SM2 dual pair from a USB key CSR: envelope, encryption certificate, KM archive, revoked together', { timeout: 120_000 }, async () => {
    const body = await issueFromCsr(app.id, 'sm2', 'sm2-dual');
    const [signing, encryption] = body.certificates as [CertificateView, CertificateView];
    expect(encryption).toMatchObject({ family: 'sm2', profileLabel: '单位加密证书', status: 'valid', usbKeySerial: 'USB-sm2-dual' });
    expect([encryption.subject, encryption.notBefore, encryption.notAfter]).toEqual([signing.subject, signing.notBefore, signing.notAfter]);
    expect(body.envelope?.fileName).toMatch(/^.+-sm2-enc\.env$/);

    await download(app.applicant, app.id, encryption.serialHex, 'sm2-enc.pem');
    expect(await ossl.openssl('verify', '-vfyopt', SM2_ID, '-partial_chain', '-CAfile', 'sm2-issuing.pem', 'sm2-enc.pem')).toContain('sm2-enc.pem: OK');
    expect(await ossl.openssl('x509', '-in', 'sm2-enc.pem', '-noout', '-text')).toMatch(/Key Usage: critical\s+Key Encipherment, Data Encipherment, Key Agreement/);

    // The USB key opens the envelope with the signing key it made for the CSR.
    const usbKey = importSm2Pkcs8(fromPem(Buffer.from(await ossl.read('sm2-dual.key')).toString('utf8')));
    const opened = openEnvelopedKey(usbKey, Buffer.from(body.envelope!.base64, 'base64'));
    await ossl.openssl('x509', '-in', 'sm2-enc.pem', '-pubkey', '-noout', '-out', 'sm2-enc.pub');
    expect(Buffer.from(await ossl.read('sm2-enc.pub')).toString()).toBe(toPem('PUBLIC KEY', sm2Spki(opened.publicKey)));

    // Both issuances are in the audit chain, each naming the other half of the pair.
    const issuedRecords = await t.certdesk.database.db
      .select({ data: auditLog.data })
      .from(auditLog)
      .where(and(eq(auditLog.entityId, app.id), eq(auditLog.action, 'certificate.issue')));
    const recordOf = (serial: string) => issuedRecords.find((r) => r.data['serial'] === serial)?.data;
    expect(recordOf(signing.serialHex)).toMatchObject({ profile: 'unitSigning', pairSerial: encryption.serialHex, usbKeySerial: 'USB-sm2-dual' });
    expect(recordOf(encryption.serialHex)).toMatchObject({ profile: 'unitEncryption', pairSerial: signing.serialHex, keyEscrowed: true });

    // The KM archive holds that same key, and only for the encryption certificate.
    const service = t.certdesk.ca.ca;
    const km = { kind: 'staff' as const, id: producerId, username: 'producer', roles: ['producer' as const] };
    expect(importSm2Pkcs8(await service.recoverEscrowedKey(km, encryption.serialHex))).toEqual(opened);
    await expect(service.recoverEscrowedKey(km, signing.serialHex)).rejects.toMatchObject({ code: 'NO_ESCROWED_KEY' });

    const revoked = await producer.post<{ certificate: CertificateView; pair?: CertificateView }>(`/api/production/certificates/${encryption.serialHex}/revoke`, { reason: 'keyCompromise' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body.pair).toMatchObject({ serialHex: signing.serialHex, statusLabel: '已吊销' });
    const after = await producer.get<{ certificates: CertificateView[] }>(`/api/production/applications/${app.id}/artefacts`);
    const statusOf = (serial: string) => after.body.certificates.find((c) => c.serialHex === serial)?.statusLabel;
    expect([statusOf(signing.serialHex), statusOf(encryption.serialHex), statusOf(sm2.serialHex)]).toEqual(['已吊销', '已吊销', '有效']);
    await ossl.write('sm2.crl', new Uint8Array(await (await fetch(`${t.url}/crl/sm2-issuing.crl`)).arrayBuffer()));
    const listed = (await ossl.openssl('crl', '-inform', 'DER', '-in', 'sm2.crl', '-noout', '-text')).toLowerCase();
    for (const serial of [signing.serialHex, encryption.serialHex]) expect(listed).toContain(serial);
    const twice = await producer.post<ErrorBody>(`/api/production/certificates/${signing.serialHex}/revoke`, { reason: 'keyCompromise' });
    expect(twice.status).toBe(409);
  });

  it('serves a CRL that openssl verifies, and OCSP good → revoked after the revoke endpoint', { timeout: 60_000 }, async () => {
    const crl = await fetch(`${t.url}/crl/p256-issuing.crl`);
    expect(crl.headers.get('content-type')).toBe('application/pkix-crl');
    await ossl.write('p256.crl', new Uint8Array(await crl.arrayBuffer()));
    expect(await ossl.openssl('crl', '-inform', 'DER', '-in', 'p256.crl', '-CAfile', 'p256-chain.pem', '-noout')).toContain('verify OK');

    const good = await ocsp('p256-leaf.pem');
    expect(good).toContain('Response verify OK');
    expect(good).toContain('p256-leaf.pem: good');

    const revoked = await producer.post<{ certificate: CertificateView }>(`/api/production/certificates/${p256.serialHex}/revoke`, { reason: 'keyCompromise' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body.certificate.statusLabel).toBe('已吊销');
    const after = await ocsp('p256-leaf.pem');
    expect(after).toContain('p256-leaf.pem: revoked');
    expect(after).toContain('Reason: keyCompromise');

    await ossl.write('p256-2.crl', new Uint8Array(await (await fetch(`${t.url}/crl/p256-issuing.crl`)).arrayBuffer()));
    const listed = await ossl.openssl('crl', '-inform', 'DER', '-in', 'p256-2.crl', '-CAfile', 'p256-chain.pem', '-noout', '-text');
    expect(listed.toLowerCase()).toContain(p256.serialHex.slice(-8));

    const twice = await producer.post<ErrorBody>(`/api/production/certificates/${p256.serialHex}/revoke`, { reason: 'keyCompromise' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toBe('该证书已吊销');
  });

  it('answers the GET form of OCSP (base64 with "/" in the path)', { timeout: 30_000 }, async () => {
    await ossl.openssl('ocsp', '-issuer', 'p256-issuing.pem', '-cert', 'p256-leaf.pem', '-no_nonce', '-reqout', 'req.der');
    const b64 = Buffer.from(await ossl.read('req.der')).toString('base64');
    const res = await fetch(`${t.url}/ocsp/${encodeURIComponent(b64)}`);
    expect(res.headers.get('content-type')).toBe('application/ocsp-response');
    await ossl.write('resp.der', new Uint8Array(await res.arrayBuffer()));
    const out = await ossl.openssl('ocsp', '-reqin', 'req.der', '-respin', 'resp.der', '-issuer', 'p256-issuing.pem', '-cert', 'p256-leaf.pem', '-CAfile', 'p256-chain.pem');
    expect(out).toContain('p256-leaf.pem: revoked');
    const unencoded = await fetch(`${t.url}/ocsp/${b64}`);
    expect(Buffer.from(await unencoded.arrayBuffer()).equals(Buffer.from(await ossl.read('resp.der')))).toBe(true);
  });

  it('gives a software certificate as PKCS#12 that openssl opens with the one-time password', { timeout: 30_000 }, async () => {
    const res = await producer.post<IssueBody>(`/api/production/applications/${app.id}/certificates`, { mode: 'software', family: 'p256' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const p12 = res.body.p12!;
    expect(p12.fileName).toMatch(/\.p12$/);
    await ossl.write('soft.p12', Buffer.from(p12.base64, 'base64'));
    const out = await ossl.openssl('pkcs12', '-in', 'soft.p12', '-passin', `pass:${p12.password}`, '-nodes');
    expect(out).toContain('BEGIN PRIVATE KEY');
    expect((await ossl.opensslStatus('pkcs12', '-in', 'soft.p12', '-passin', 'pass:wrong-password', '-nodes')).code).not.toBe(0);
    // The password is shown once and never stored: the artefacts list has no trace of it.
    const artefacts = await producer.get(`/api/production/applications/${app.id}/artefacts`);
    expect(JSON.stringify(artefacts.body)).not.toContain(p12.password);
  });

  it('gives a software SM2 dual pair as one PKCS#12 holding both keys, and no envelope', { timeout: 30_000 }, async () => {
    const res = await producer.post<IssueBody>(`/api/production/applications/${app.id}/certificates`, { mode: 'software', family: 'sm2' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.certificates.map((c) => c.profileLabel)).toEqual(['单位签名证书', '单位加密证书']);
    expect(res.body.envelope).toBeUndefined();
    await ossl.write('soft-sm2.p12', Buffer.from(res.body.p12!.base64, 'base64'));
    const info = await ossl.openssl('pkcs12', '-in', 'soft-sm2.p12', '-info', '-nodes', '-passin', `pass:${res.body.p12!.password}`);
    expect(info.match(/BEGIN PRIVATE KEY/g)).toHaveLength(2);
    expect(info.match(/BEGIN CERTIFICATE/g)).toHaveLength(4);
    const [signing, encryption] = res.body.certificates as [CertificateView, CertificateView];
    await expect(t.certdesk.ca.ca.recoverEscrowedKey({ kind: 'system', id: 'test' }, encryption.serialHex)).resolves.toBeInstanceOf(Uint8Array);
    // Revoked from the signing side this time (the seal below binds the one SM2 signing certificate left).
    const revoked = await producer.post<{ pair?: CertificateView }>(`/api/production/certificates/${signing.serialHex}/revoke`, { reason: 'superseded' });
    expect(revoked.body.pair).toMatchObject({ serialHex: encryption.serialHex, statusLabel: '已吊销' });
  });

  it('makes the seal only after the applicant approved its picture, and it verifies', { timeout: 60_000 }, async () => {
    const early = await producer.post<ErrorBody>(`/api/production/applications/${app.id}/seal`);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toContain('申请人确认电子印章图样后才能制作印章');

    const preview = await fetch(`${t.url}/api/applications/${app.id}/seal/preview.png`, { headers: { cookie: app.applicant.cookie ?? '' } });
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/png');
    const approved = await app.applicant.post<{ approvedAt: string }>(`/api/applications/${app.id}/seal/approve`);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    type Artefacts = { seal: { esID: string } | null; sealApproval: { approvedAt: string } | null };
    // The holder looks before the seal is made (and the answer is kept) …
    const waiting = await app.applicant.get<Artefacts>(`/api/applications/${app.id}/artefacts`);
    expect(waiting.body.seal).toBeNull();

    const made = await producer.post<{ seal: { esID: string; name: string; pictureUrl: string } }>(`/api/production/applications/${app.id}/seal`);
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    // … and sees the 制证员's seal at once, even when asking with the ETag of what they saw.
    const artefacts = await app.applicant.request<Artefacts>('GET', `/api/applications/${app.id}/artefacts`, undefined, { 'if-none-match': waiting.headers.get('etag')! });
    expect(artefacts.status).toBe(200);
    expect(artefacts.body.seal?.esID).toBe(made.body.seal.esID);
    expect(artefacts.body.sealApproval?.approvedAt).toBe(approved.body.approvedAt);

    const file = await fetch(`${t.url}/api/applications/${app.id}/seal.esl`, { headers: { cookie: app.applicant.cookie ?? '' } });
    expect(file.status).toBe(200);
    const der = new Uint8Array(await file.arrayBuffer());
    const checked = verifySeal(der, { now: new Date(), trustedMakerCertificates: [t.certdesk.ca.cas.sealMaker.certificate] });
    expect(checked.reasons).toEqual([]);
    expect(checked.seal?.boundCertificates).toHaveLength(1);

    const verified = await new TestClient(t.url).upload<VerifyBody>('/api/verify', Buffer.from(der), 'seal.esl');
    expect(verified.body).toMatchObject({ kind: 'seal', verdictLabel: '有效' });
  });

  it('says 有效 / 已吊销 / 非本CA签发 for uploaded certificates, and looks serials up', { timeout: 30_000 }, async () => {
    const anyone = new TestClient(t.url);
    const valid = await anyone.upload<VerifyBody>('/api/verify', Buffer.from(await ossl.read('sm2-leaf.pem')), 'sm2.pem');
    expect(valid.body).toMatchObject({ kind: 'certificate', verdictLabel: '有效' });
    const revoked = await anyone.upload<VerifyBody>('/api/verify', Buffer.from(await ossl.read('p256-leaf.pem')), 'p256.crt');
    expect(revoked.body.verdictLabel).toBe('已吊销');
    expect(revoked.body.details.find((d) => d.label === '吊销原因')?.value).toBe('密钥泄露');

    await ossl.openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'foreign.key', '-subj', '/CN=foreign', '-days', '30', '-outform', 'DER', '-out', 'foreign.cer');
    const foreign = await anyone.upload<VerifyBody>('/api/verify', Buffer.from(await ossl.read('foreign.cer')), 'foreign.cer');
    expect(foreign.body.verdictLabel).toBe('非本CA签发');

    expect((await anyone.get<VerifyBody>(`/api/verify/serial/${sm2.serialHex.toUpperCase()}`)).body.verdictLabel).toBe('有效');
    expect((await anyone.get<VerifyBody>('/api/verify/serial/123456789abcdef')).body.verdictLabel).toBe('未找到');
    const junk = await anyone.upload<ErrorBody>('/api/verify', Buffer.from('not a certificate'), 'x.txt');
    expect(junk.status).toBe(400);
  });

  it('keeps production endpoints to producers and artefacts to their applicant', { timeout: 60_000 }, async () => {
    const asApplicant = await app.applicant.post<ErrorBody>(`/api/production/applications/${app.id}/certificates`, { mode: 'software', family: 'p256' });
    expect(asApplicant.status).toBe(401);
    const asReviewer = await app.reviewer.post<ErrorBody>(`/api/production/applications/${app.id}/certificates`, { mode: 'software', family: 'p256' });
    expect(asReviewer.status).toBe(403);
    expect((await app.reviewer.post(`/api/production/certificates/${sm2.serialHex}/revoke`, { reason: 'superseded' })).status).toBe(403);

    const other = await loggedInApplicant(t);
    expect((await other.get(`/api/applications/${app.id}/artefacts`)).status).toBe(404);
    expect((await other.get(`/api/applications/${app.id}/seal/preview.png`)).status).toBe(404);
    expect((await other.get(`/api/applications/${app.id}/certificates/${sm2.serialHex}.cer`)).status).toBe(404);

    // Not yet in production: a clear 409, and no preview before 资料审核通过.
    const { id } = await submittedApplication(t, other);
    const early = await producer.post<ErrorBody>(`/api/production/applications/${id}/certificates`, { mode: 'software', family: 'sm2' });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toContain('只有“制证中”的申请才能签发证书');
    expect((await other.get(`/api/applications/${id}/seal/preview.png`)).status).toBe(409);
  });

  it('revokes from the command line: openssl ocsp then says revoked', { timeout: 180_000 }, async () => {
    const second = (await issueFromCsr(app.id, 'p256', 'p256-cli')).certificates[0]!;
    await download(app.applicant, app.id, second.serialHex, 'p256-cli.pem');
    expect(await ocsp('p256-cli.pem')).toContain('p256-cli.pem: good');
    const run = await certdesk(['cert', 'revoke', '--serial', second.serialHex, '--reason', 'keyCompromise']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`已吊销证书 ${second.serialHex}`);
    // On PGlite the app itself revoked it (asked over its socket): at once. On PostgreSQL another
    // process did: this instance notices within its poll interval.
    let answer = '';
    for (let i = 0; i < 20 && !answer.includes('revoked'); i++) {
      answer = await ocsp('p256-cli.pem');
      if (!answer.includes('revoked')) await new Promise((r) => setTimeout(r, 500));
    }
    expect(answer).toContain('p256-cli.pem: revoked');
  });
});
