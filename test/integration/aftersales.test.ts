/**
 * 变更, 挂失 and 补办 through the API, each from a unit that holds an SM2 certificate and its seal
 * (certified.ts): their prices (变更 free, so 审核通过 goes straight to 已支付), the papers each asks
 * for, the refusals (补办 without 挂失, 变更 of a revoked certificate), the old serial answering
 * revoked with the right reason to `openssl ocsp`, the lineage on /verify, and the new seal
 * verifying with the new name.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPem } from '../../src/pki/der.ts';
import { opensslDir, type OpensslDir } from '../../src/pki/test-openssl.ts';
import { movableClock, startTestApp, type TestApp } from '../support/app.ts';
import { company, person } from '../support/applicant.ts';
import { certifiedUnit, holderClient, type CertifiedUnit } from '../support/certified.ts';
import type { TestClient } from '../support/http.ts';
import { jpegScan } from '../support/images.ts';
import { approve, markPaid } from '../support/scenario.ts';
import { waitForCode } from '../support/sms.ts';
import { loggedInStaff } from '../support/staff.ts';

interface Detail {
  label: string;
  value: string;
}
interface Verified {
  verdictLabel: string;
  details: Detail[];
  reasons: string[];
}

let t: TestApp;
let ossl: OpensslDir;
let producer: TestClient;
// Real time: openssl checks the OCSP answer's times against its own clock.
const clock = movableClock(new Date());

beforeAll(async () => {
  t = await startTestApp({ clock: clock.now });
  ossl = await opensslDir();
  producer = await loggedInStaff(t, clock, ['producer']);
  await ossl.write('sm2-issuing.pem', toPem('CERTIFICATE', t.certdesk.ca.ca.cas.issuing.sm2.certificate));
});
afterAll(async () => {
  await ossl?.remove();
  await t?.close();
});

/** What `openssl ocsp` says of a serial under the SM2 issuing CA (openssl cannot check SM2 signatures: -noverify). */
async function opensslOcsp(serial: string, name: string): Promise<string> {
  const row = await t.certdesk.ca.ca.certificate(serial);
  await ossl.write(`${name}.pem`, toPem('CERTIFICATE', row!.der));
  return ossl.openssl('ocsp', '-issuer', 'sm2-issuing.pem', '-cert', `${name}.pem`, '-url', `${t.url}/ocsp`, '-noverify', '-no_nonce');
}

/** The after-sales path up to 提交: the 经办人 confirmed, 企业认证, the contract, 自取. */
async function walk(holder: TestClient, id: string, org: { orgName: string; uscc: string; legalRepresentative: string }) {
  const op = await holder.post('/api/applications/identity/operator', {
    applicationId: id,
    applicantType: 'enterprise',
    operatorName: person.name,
    operatorIdNumber: person.idNumber,
    operatorPhone: person.phone,
  });
  expect(op.status, JSON.stringify(op.body)).toBe(200);
  const verified = await holder.post<{ outcome: string; message: string }>(`/api/applications/${id}/identity/organisation`, org);
  expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  const contract = await holder.get<{ version: number; sha256: string }>(`/api/applications/${id}/contract`);
  const accepted = await holder.post(`/api/applications/${id}/contract/accept`, { kind: 'sign', version: contract.body.version, sha256: contract.body.sha256, agreed: true });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  const form = await holder.request('PUT', `/api/applications/${id}/form`, { projectId: 'nmg-etax', invoice: { wanted: false }, delivery: { method: 'pickup' }, termYears: 1 });
  expect(form.status, JSON.stringify(form.body)).toBe(200);
  return verified.body;
}

async function produce(holder: TestClient, id: string, approvePicture: boolean) {
  expect((await producer.post(`/api/production/applications/${id}/start`)).status).toBe(200);
  const issued = await producer.post<{ certificates: { serialHex: string; notAfter: string; profile: string }[] }>(`/api/production/applications/${id}/certificates`, {
    mode: 'software',
    family: 'sm2',
  });
  expect(issued.status, JSON.stringify(issued.body)).toBe(200);
  if (approvePicture) expect((await holder.post(`/api/applications/${id}/seal/approve`)).status).toBe(200);
  const made = await producer.post(`/api/production/applications/${id}/seal`);
  expect(made.status, JSON.stringify(made.body)).toBe(200);
  return issued.body.certificates;
}

async function verifySerial(holder: TestClient, serial: string) {
  return (await holder.get<Verified>(`/api/verify/serial/${serial}`)).body;
}

async function verifySealOf(holder: TestClient, applicationId: string) {
  const seal = await t.certdesk.ca.seals.latest(applicationId);
  const res = await holder.upload<Verified>('/api/verify', Buffer.from(seal!.der), 'seal.esl', 'application/octet-stream');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('售后', () => {
  it('prices 变更 at 0 元 and 补办 at 100 元 in 系统管理 → 价格', async () => {
    const admin = await loggedInStaff(t, clock, ['admin']);
    const prices = await admin.get<{ prices: { kind: string; kindLabel: string; amountYuan: string; state: string }[] }>('/api/admin/prices');
    const current = prices.body.prices.filter((p) => p.state === 'current').map((p) => [p.kindLabel, p.amountYuan]);
    expect(current).toEqual(expect.arrayContaining([['变更', '0.00'], ['补办', '100.00']]));
  });

  it('挂失 revokes both halves at once on an SMS code; 补办 only after it, with the old end and a new seal', { timeout: 120_000 }, async () => {
    const unit: CertifiedUnit = await certifiedUnit(t);
    const holder = await holderClient(t, unit);
    const early = await holder.post<{ error: { message: string } }>('/api/reissues', { serial: unit.serial });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toBe('请先办理挂失：证书挂失（吊销）后才能补办');

    const base = `/api/applications/${unit.applicationId}/certificates/${unit.serial}/loss-report`;
    const sent = await holder.post<{ phoneMasked: string }>(`${base}/code`);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const code = await waitForCode(t.url, unit.phone);
    const wrong = await holder.post<{ error: { message: string } }>(base, { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('验证码错误');
    const reported = await holder.post<{ revoked: { profile: string; statusLabel: string; revocationReasonLabel: string }[] }>(base, { code, note: 'USB Key 遗失' });
    expect(reported.status, JSON.stringify(reported.body)).toBe(200);
    expect(reported.body.revoked.map((c) => [c.profile, c.statusLabel])).toEqual([
      ['unitSigning', '已吊销'],
      ['unitEncryption', '已吊销'],
    ]);
    const ocsp = await opensslOcsp(unit.serial, 'lost');
    expect(ocsp).toContain('lost.pem: revoked');
    expect(ocsp).toContain('Reason: keyCompromise');
    const queue = await producer.get<{ items: { kindLabel: string; certificateSerial: string; applicationNumber: string }[] }>('/api/revocation-requests?status=approved');
    expect(queue.body.items.find((r) => r.certificateSerial === unit.serial)).toMatchObject({ kindLabel: '挂失', applicationNumber: unit.number });

    const started = await holder.post<{ id: string }>('/api/reissues', { serial: unit.serial });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const id = started.body.id;
    await walk(holder, id, { orgName: company.name, uscc: company.uscc, legalRepresentative: company.legalRepresentative });
    const view = await holder.get<{ kindLabel: string; amount: string; baseAttachments: unknown[] }>(`/api/applications/${id}`);
    expect(view.body).toMatchObject({ kindLabel: '补办', amount: '100.00', baseAttachments: [] });
    const submitted = await holder.post<{ statusLabel: string }>(`/api/applications/${id}/submit`);
    expect(submitted.body.statusLabel).toBe('待审核');
    await approve(t, clock, id);
    await markPaid(t, id, clock.now());
    // Same name, same picture: the approval given for the lost certificate's seal stands.
    const [signing] = await produce(holder, id, false);
    expect(new Date(signing!.notAfter).getTime()).toBe(unit.notAfter.getTime());

    const old = await verifySerial(holder, unit.serial);
    expect(old.verdictLabel).toBe('已吊销');
    expect(old.details).toContainEqual({ label: '后续证书', value: '已补办' });
    const next = await verifySerial(holder, signing!.serialHex);
    expect(next.details).toContainEqual({ label: '补办自（原证书序列号）', value: unit.serial });
    expect((await verifySealOf(holder, id)).verdictLabel).toBe('有效');
  });

  it('变更 goes on when the register lags, always to a reviewer, free, and revokes the old certificate only once the new one exists', { timeout: 120_000 }, async () => {
    const unit = await certifiedUnit(t);
    const holder = await holderClient(t, unit);
    const newName = `${company.name}（更名）`;
    const started = await holder.post<{ id: string }>('/api/changes', { serial: unit.serial, items: ['orgName'] });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const id = started.body.id;
    // The registry still shows the old name: explained, not a dead end.
    const verified = await walk(holder, id, { orgName: newName, uscc: company.uscc, legalRepresentative: company.legalRepresentative });
    expect(verified).toMatchObject({ outcome: 'lagging' });
    expect(verified.message).toContain('工商登记信息尚未显示变更后的内容');
    const view = await holder.get<{ kindLabel: string; amount: string; baseAttachments: { kind: string }[] }>(`/api/applications/${id}`);
    expect(view.body.kindLabel).toBe('变更');
    expect(view.body.amount).toBe('0.00');
    expect(view.body.baseAttachments.map((a) => a.kind)).toEqual(['business_licence', 'change_proof']);
    const missing = await holder.post<{ error: { message: string } }>(`/api/applications/${id}/submit`);
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toBe('请上传：营业执照副本扫描件、变更证明（登记机关出具的变更通知书等）');
    for (const kind of ['business_licence', 'change_proof']) {
      const up = await holder.upload(`/api/applications/${id}/attachments/${kind}`, await jpegScan(kind, 240, 160), `${kind}.jpg`, 'image/jpeg');
      expect(up.status, JSON.stringify(up.body)).toBe(200);
    }
    expect((await holder.post<{ statusLabel: string }>(`/api/applications/${id}/submit`)).body.statusLabel).toBe('待审核');

    const reviewer = await loggedInStaff(t, clock, ['reviewer']);
    const detail = await reviewer.get<{ orgName: string; renewal: { kindLabel: string; previous: { orgName: string }; claimed: { label: string }[]; registryLagging: boolean } }>(
      `/api/review/applications/${id}`,
    );
    expect(detail.body.renewal).toMatchObject({ kindLabel: '变更', previous: { orgName: company.name }, claimed: [{ label: '单位名称' }], registryLagging: true });
    const decided = await reviewer.post<{ statusLabel: string }>(`/api/review/applications/${id}/decision`, { decision: 'approve' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    // A fee of 0: nothing to pay.
    expect((await holder.get<{ statusLabel: string }>(`/api/applications/${id}`)).body.statusLabel).toBe('已支付');
    expect((await opensslOcsp(unit.serial, 'before-change'))).toContain('before-change.pem: good');

    // A new name draws a new picture: the holder approves it as at 新办.
    const [signing] = await produce(holder, id, true);
    expect(new Date(signing!.notAfter).getTime()).toBe(unit.notAfter.getTime());
    const ocsp = await opensslOcsp(unit.serial, 'changed');
    expect(ocsp).toContain('changed.pem: revoked');
    expect(ocsp).toContain('Reason: affiliationChanged');

    const old = await verifySerial(holder, unit.serial);
    expect(old.details).toContainEqual({ label: '后续证书', value: '已变更' });
    expect(old.reasons[0]).toContain(signing!.serialHex);
    const sealNow = await verifySealOf(holder, id);
    expect(sealNow.verdictLabel).toBe('有效');
    expect(sealNow.details).toContainEqual({ label: '印章名称', value: newName });
    const sealBefore = await verifySealOf(holder, unit.applicationId);
    expect(sealBefore.verdictLabel).toBe('已吊销');
    expect(sealBefore.details.find((d) => d.label === '印章状态')?.value).toContain('已被新印章取代');

    // A stop between the new certificate's store and the old one's revocation (two transactions)
    // leaves the old one valid: the CA's schedule finishes the 变更.
    const db = t.certdesk.database.db;
    await db.execute(sql`UPDATE certificates SET status = 'valid', revoked_at = NULL, revocation_reason = NULL WHERE serial_hex = ${unit.serial}`);
    expect(await t.certdesk.ca.ca.finishChanges()).toEqual([unit.serial]);
    expect(await t.certdesk.ca.ca.certificate(unit.serial)).toMatchObject({ status: 'revoked', revocationReason: 'affiliationChanged' });
    expect(await t.certdesk.ca.ca.finishChanges()).toEqual([]);

    const again = await holder.post<{ error: { message: string } }>('/api/changes', { serial: unit.serial, items: ['legalRepresentative'] });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('该证书已吊销，不能办理变更，请重新申请');
  });
});
