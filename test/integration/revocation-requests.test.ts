/**
 * 申请吊销: the holder asks for their certificate to be revoked; a 制证员 (or 管理员) refuses with a
 * reason the holder reads, or approves — and then the CA really revokes: the CRL served at /crl
 * lists the serial (read by openssl) and the holder's list says 已吊销. Only the owner asks, only
 * producers and admins decide, a request is decided once, and the holder gets an SMS either way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordsOf } from '../../src/modules/audit/records.ts';
import { opensslDir, type OpensslDir } from '../../src/pki/test-openssl.ts';
import { movableClock, startTestApp, type TestApp } from '../support/app.ts';
import { loggedInApplicant } from '../support/applicant.ts';
import type { ErrorBody, TestClient } from '../support/http.ts';
import { issueSoftwareCertificate, producerClient } from '../support/production.ts';
import { paidApplication } from '../support/scenario.ts';
import { waitForSms } from '../support/sms.ts';
import { loggedInStaff } from '../support/staff.ts';

const clock = movableClock();
let t: TestApp;
let ossl: OpensslDir;
beforeAll(async () => {
  t = await startTestApp({ clock: clock.now });
  ossl = await opensslDir();
});
afterAll(async () => {
  await ossl?.remove();
  await t?.close();
});

interface RequestView {
  id: string;
  status: string;
  statusLabel: string;
  reasonLabel: string;
  decisionNote: string | null;
}
interface Artefacts {
  certificates: { serialHex: string; statusLabel: string; revocationReasonLabel?: string; revocationRequest: RequestView | null }[];
}

async function issuedCertificate() {
  const { applicant, id, number } = await paidApplication(t, clock);
  const producer = await producerClient(t, clock);
  expect((await producer.post(`/api/production/applications/${id}/start`)).status).toBe(200);
  return { applicant, producer, id, number, serial: await issueSoftwareCertificate(producer, id, 'p256') };
}

const ask = (applicant: TestClient, id: string, serial: string, body: object) =>
  applicant.post<RequestView & ErrorBody>(`/api/applications/${id}/certificates/${serial}/revocation-requests`, body);

const artefact = async (applicant: TestClient, id: string, serial: string) =>
  (await applicant.get<Artefacts>(`/api/applications/${id}/artefacts`)).body.certificates.find((c) => c.serialHex === serial)!;

describe('申请吊销', () => {
  it('is refused with a reason the holder reads, and the certificate stays valid', { timeout: 60_000 }, async () => {
    const { applicant, producer, id, number, serial } = await issuedCertificate();

    const bad = await ask(applicant, id, serial, { reason: 'cACompromise' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('请选择吊销原因');

    const asked = await ask(applicant, id, serial, { reason: 'affiliationChanged', note: '单位已更名' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(asked.body).toMatchObject({ status: 'pending', statusLabel: '吊销申请待审核', reasonLabel: '单位信息变更' });
    const again = await ask(applicant, id, serial, { reason: 'keyCompromise' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('待审核');

    const pending = await producer.get<{ items: { id: string; applicationNumber: string; note: string }[] }>('/api/revocation-requests?status=pending');
    const listed = pending.body.items.find((r) => r.id === asked.body.id);
    expect(listed).toMatchObject({ applicationNumber: number, note: '单位已更名' });

    const empty = await producer.post<ErrorBody>(`/api/revocation-requests/${asked.body.id}/reject`, { note: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('请填写不予吊销的原因');
    const rejected = await producer.post<RequestView>(`/api/revocation-requests/${asked.body.id}/reject`, { note: '请提供更名核准通知书后重新申请' });
    expect(rejected.body).toMatchObject({ status: 'rejected', statusLabel: '吊销申请未通过', decisionNote: '请提供更名核准通知书后重新申请' });
    expect(await waitForSms(t.url, applicant.phone!, '吊销申请')).toContain('未通过：请提供更名核准通知书后重新申请');

    const after = await artefact(applicant, id, serial);
    expect(after.statusLabel).toBe('有效');
    expect(after.revocationRequest).toMatchObject({ statusLabel: '吊销申请未通过', decisionNote: '请提供更名核准通知书后重新申请' });
    const twice = await producer.post<ErrorBody>(`/api/revocation-requests/${asked.body.id}/approve`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toContain('已处理');
  });

  it('once approved, revokes: 已吊销 for the holder, the serial in the CRL openssl reads, SMS, audit', { timeout: 60_000 }, async () => {
    const { applicant, producer, id, serial } = await issuedCertificate();
    const asked = await ask(applicant, id, serial, { reason: 'keyCompromise', note: 'USB Key 丢失' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);

    const approved = await producer.post<RequestView>(`/api/revocation-requests/${asked.body.id}/approve`);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.statusLabel).toBe('吊销申请已通过');

    const after = await artefact(applicant, id, serial);
    expect(after).toMatchObject({ statusLabel: '已吊销', revocationReasonLabel: '密钥泄露' });
    expect(await waitForSms(t.url, applicant.phone!, '已吊销')).toContain(serial);

    const crl = await fetch(`${t.url}/crl/p256-issuing.crl`);
    await ossl.write('p256.crl', new Uint8Array(await crl.arrayBuffer()));
    const text = await ossl.openssl('crl', '-inform', 'DER', '-in', 'p256.crl', '-noout', '-text');
    expect(text.toUpperCase().replace(/:/g, '')).toContain(serial.toUpperCase());
    expect(text).toContain('Key Compromise');

    const revokedAgain = await ask(applicant, id, serial, { reason: 'keyCompromise' });
    expect(revokedAgain.status).toBe(409);
    expect(revokedAgain.body.error.message).toContain('已吊销');

    const actions = (await recordsOf(t.certdesk.database.db, 'application', id)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['revocation_request.create', 'certificate.revoke', 'revocation_request.approve']));
    // 处理记录 reads the request with its reason and note.
    const timeline = await producer.get<{ entries: { title: string; detail: string | null }[] }>(`/api/console/applications/${id}/timeline`);
    expect(timeline.body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ title: '申请吊销证书', detail: '密钥泄露或 USB Key 丢失：USB Key 丢失' })]));
  });

  it('lets only the owner ask, and only producers and admins decide', { timeout: 60_000 }, async () => {
    const { applicant, id, serial } = await issuedCertificate();
    const stranger = await loggedInApplicant(t);
    const foreign = await ask(stranger, id, serial, { reason: 'keyCompromise' });
    expect(foreign.status).toBe(404);
    const wrongApp = await ask(applicant, '00000000-0000-4000-8000-000000000000', serial, { reason: 'keyCompromise' });
    expect(wrongApp.status).toBe(404);

    const asked = await ask(applicant, id, serial, { reason: 'superseded' });
    const reviewer = await loggedInStaff(t, clock, ['reviewer']);
    expect((await reviewer.get('/api/revocation-requests')).status).toBe(403);
    expect((await reviewer.post(`/api/revocation-requests/${asked.body.id}/approve`)).status).toBe(403);
    expect((await applicant.post(`/api/revocation-requests/${asked.body.id}/approve`)).status).toBe(401);
  });
});
