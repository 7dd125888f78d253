/**
 * 续期 end to end through the API, with a clock the test moves: the window (none at −100 d, a new
 * application at +400 d), the renewal price, no papers and 自动审核 when nothing changed, the
 * holder's own CSR issued at once with the new certificate starting at the old one's end (read by
 * openssl), the old one 已续期 and never renewed twice, and a changed 法定代表人 sent to a reviewer
 * with the licence asked for.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projects } from '../../src/db/schema.ts';
import { opensslDir, type OpensslDir } from '../../src/pki/test-openssl.ts';
import { movableClock, startTestApp, type TestApp } from '../support/app.ts';
import { company, person } from '../support/applicant.ts';
import { certifiedUnit, holderClient, type CertifiedUnit } from '../support/certified.ts';
import type { TestClient } from '../support/http.ts';
import { jpegScan } from '../support/images.ts';
import { markPaid } from '../support/scenario.ts';
import { loggedInStaff } from '../support/staff.ts';

const DAY = 86_400;
const SM2_ID = 'distid:1234567812345678';

interface CertificateEntry {
  serialHex: string;
  profile: string;
  notBefore: string;
  notAfter: string;
  status: string;
  statusLabel: string;
  daysLeft: number;
  expiry: { state: string; label: string } | null;
  successorSerialHex: string | null;
  predecessorSerialHex: string | null;
  renewal: { offered: boolean; newApplication: boolean; message: string | null };
}

let t: TestApp;
let ossl: OpensslDir;
const clock = movableClock(new Date('2026-01-10T02:00:00Z'));

beforeAll(async () => {
  t = await startTestApp({ clock: clock.now });
  ossl = await opensslDir();
  // 续期自动审核 on the project the units use.
  await t.certdesk.database.db.update(projects).set({ renewalAutoReview: true }).where(eq(projects.id, 'nmg-etax'));
});
afterAll(async () => {
  await t.certdesk.database.db.update(projects).set({ renewalAutoReview: false }).where(eq(projects.id, 'nmg-etax'));
  await ossl?.remove();
  await t?.close();
});

/** Moves the clock to `days` from the certificate's end; the holder logs in then (sessions end with time). */
async function at(unit: CertifiedUnit, days: number): Promise<TestClient> {
  clock.advance((unit.notAfter.getTime() + days * DAY * 1000 - clock.now().getTime()) / 1000);
  return holderClient(t, unit);
}

async function signing(holder: TestClient, unit: CertifiedUnit, applicationId = unit.applicationId): Promise<CertificateEntry> {
  const res = await holder.get<{ certificates: CertificateEntry[] }>(`/api/applications/${applicationId}/artefacts`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.certificates.find((c) => c.profile === 'unitSigning')!;
}

async function csr(family: 'p256' | 'sm2', name: string): Promise<string> {
  const curve = family === 'sm2' ? 'SM2' : 'prime256v1';
  await ossl.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', `${name}.key`);
  const sign = family === 'sm2' ? ['-sm3', '-sigopt', SM2_ID] : ['-sha256'];
  await ossl.openssl('req', '-new', '-key', `${name}.key`, ...sign, '-subj', '/CN=holder', '-out', `${name}.csr`);
  return Buffer.from(await ossl.read(`${name}.csr`)).toString('utf8');
}

/** The renewal's path up to 提交: confirm the unit and the 经办人, the contract, the term. */
async function walkRenewal(holder: TestClient, id: string, termYears: number, org = { orgName: company.name, uscc: company.uscc, legalRepresentative: company.legalRepresentative }) {
  const op = await holder.post('/api/applications/identity/operator', {
    applicationId: id,
    applicantType: 'enterprise',
    operatorName: person.name,
    operatorIdNumber: person.idNumber,
    operatorPhone: person.phone,
  });
  expect(op.status, JSON.stringify(op.body)).toBe(200);
  const orgRes = await holder.post(`/api/applications/${id}/identity/organisation`, org);
  expect(orgRes.status, JSON.stringify(orgRes.body)).toBe(200);
  const contract = await holder.get<{ version: number; sha256: string }>(`/api/applications/${id}/contract`);
  const accepted = await holder.post(`/api/applications/${id}/contract/accept`, { kind: 'sign', version: contract.body.version, sha256: contract.body.sha256, agreed: true });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  const form = await holder.request("PUT", `/api/applications/${id}/form`, { projectId: 'nmg-etax', invoice: { wanted: false }, delivery: null, termYears });
  expect(form.status, JSON.stringify(form.body)).toBe(200);
}

describe('续期', () => {
  it('opens 90 days before expiry, prices every year at 160 元, asks for no papers and is approved at once; the new certificate starts at the old end', async () => {
    const unit = await certifiedUnit(t, { family: 'p256' });
    let holder = await at(unit, -100);
    const early = await signing(holder, unit);
    expect(early.renewal).toMatchObject({ offered: false, newApplication: false });
    expect(early.expiry).toBeNull();
    const refused = await holder.post<{ error: { message: string } }>('/api/renewals', { serial: unit.serial });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('证书到期前90天内才能续期');

    holder = await at(unit, -60);
    const due = await signing(holder, unit);
    expect(due).toMatchObject({ daysLeft: 60, expiry: { state: 'expiring', label: '即将到期' }, renewal: { offered: true } });
    const list = await holder.get<{ items: { id: string; expiry: { label: string } | null }[] }>('/api/applications');
    expect(list.body.items.find((i) => i.id === unit.applicationId)?.expiry?.label).toBe('即将到期');

    const terms = await holder.get<{ items: { years: number; amount: string }[] }>('/api/terms?kind=renewal');
    expect(terms.body.items).toEqual([
      { years: 1, amount: '160.00' },
      { years: 2, amount: '320.00' },
      { years: 3, amount: '480.00' },
    ]);

    const started = await holder.post<{ id: string }>('/api/renewals', { serial: unit.serial });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const id = started.body.id;
    const twice = await holder.post<{ error: { message: string } }>('/api/renewals', { serial: unit.serial });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toContain('已有进行中的续期申请');

    await walkRenewal(holder, id, 3);
    const view = await holder.get<{ kindLabel: string; amount: string; steps: string[]; baseAttachments: unknown[]; projectAttachments: unknown[] }>(`/api/applications/${id}`);
    expect(view.body).toMatchObject({ kindLabel: '续期', amount: '480.00', steps: ['identity', 'contract', 'form', 'project_attachments'], baseAttachments: [], projectAttachments: [] });

    const submitted = await holder.post<{ status: string; statusLabel: string }>(`/api/applications/${id}/submit`);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body.statusLabel).toBe('资料审核通过');

    await markPaid(t, id, clock.now());
    const issued = await holder.post<{ certificates: { serialHex: string; notBefore: string; notAfter: string }[] }>(`/api/applications/${id}/renewal/certificates`, {
      mode: 'csr',
      csrPem: await csr('p256', 'renew'),
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const renewed = issued.body.certificates[0]!;
    const der = await fetch(`${t.url}/api/applications/${id}/certificates/${renewed.serialHex}.cer`, { headers: { cookie: holder.cookie ?? '' } });
    expect(der.status).toBe(200);
    await ossl.write('renewed.cer', new Uint8Array(await der.arrayBuffer()));
    const startdate = await ossl.openssl('x509', '-inform', 'DER', '-in', 'renewed.cer', '-noout', '-startdate', '-enddate');
    const opensslDate = (line: string) => new Date(/=(.*)$/m.exec(line)![1]!).getTime();
    expect(opensslDate(startdate.split('\n')[0]!)).toBe(Math.floor(unit.notAfter.getTime() / 1000) * 1000);
    expect(new Date(renewed.notAfter).getUTCFullYear()).toBe(unit.notAfter.getUTCFullYear() + 3);

    const status = await holder.get<{ status: string; statusLabel: string }>(`/api/applications/${id}`);
    expect(status.body.statusLabel).toBe('已完成');
    const old = await signing(holder, unit);
    expect(old).toMatchObject({ status: 'valid', successorSerialHex: renewed.serialHex, renewal: { offered: false, message: '该证书已续期，请对最新的证书办理续期' } });
    const again = await holder.post<{ error: { message: string } }>('/api/renewals', { serial: unit.serial });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('该证书已续期，请对最新的证书办理续期');

    const verified = await holder.get<{ verdictLabel: string; details: { label: string; value: string }[] }>(`/api/verify/serial/${unit.serial}`);
    expect(verified.body.verdictLabel).toBe('已续期');
    const successor = await holder.get<{ verdictLabel: string; details: { label: string; value: string }[] }>(`/api/verify/serial/${renewed.serialHex}`);
    expect(successor.body.verdictLabel).toBe('有效');
    expect(successor.body.details).toContainEqual({ label: '续期自（原证书序列号）', value: unit.serial });
  });

  it('is a new application more than 365 days after expiry', async () => {
    const unit = await certifiedUnit(t, { family: 'p256' });
    const holder = await at(unit, 400);
    const late = await signing(holder, unit);
    expect(late).toMatchObject({ status: 'expired', expiry: { label: '已过期' }, renewal: { offered: false, newApplication: true } });
    const refused = await holder.post<{ error: { message: string } }>('/api/renewals', { serial: unit.serial });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('证书过期已超过365天，不能续期，请重新申请（新办）');
  });

  it('sends a changed 法定代表人 to a reviewer and asks for the new licence', async () => {
    // Verified last time under a legal representative the registry no longer shows.
    const unit = await certifiedUnit(t, { family: 'p256', legalRepresentative: '前任法人' });
    const holder = await at(unit, -30);
    const started = await holder.post<{ id: string }>('/api/renewals', { serial: unit.serial });
    const id = started.body.id;
    // Confirming the old data: the registry names the field that changed.
    const stale = await holder.post<{ error: { message: string } }>(`/api/applications/${id}/identity/organisation`, {
      orgName: company.name,
      uscc: company.uscc,
      legalRepresentative: '前任法人',
    });
    expect(stale.status).toBe(400);
    expect(stale.body.error.message).toContain('法定代表人');
    await walkRenewal(holder, id, 1);
    const view = await holder.get<{ amount: string; renewal: { changed: string[] }; baseAttachments: { kind: string }[] }>(`/api/applications/${id}`);
    expect(view.body.amount).toBe('160.00');
    expect(view.body.baseAttachments.map((a) => a.kind)).toEqual(['business_licence']);
    expect(view.body.renewal.changed).toEqual(['legalRepresentative']);
    const missing = await holder.post<{ error: { message: string } }>(`/api/applications/${id}/submit`);
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toBe('请上传：营业执照副本扫描件');
    const uploaded = await holder.upload(`/api/applications/${id}/attachments/business_licence`, await jpegScan('licence'), 'licence.jpg', 'image/jpeg');
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
    const submitted = await holder.post<{ statusLabel: string }>(`/api/applications/${id}/submit`);
    // 续期自动审核 is on for the project, yet a change goes to a reviewer.
    expect(submitted.body.statusLabel).toBe('待审核');
    const reviewer = await loggedInStaff(t, clock, ['reviewer']);
    const queue = await reviewer.get<{ items: { id: string; flags: string[] }[] }>('/api/review/queue');
    expect(queue.body.items.find((i) => i.id === id)?.flags).toContain('续期');
    const detail = await reviewer.get<{ renewal: { previousCertificate: { serialHex: string }; previous: { legalRepresentative: string }; changed: { label: string }[] } }>(`/api/review/applications/${id}`);
    expect(detail.body.renewal).toMatchObject({ previousCertificate: { serialHex: unit.serial }, previous: { legalRepresentative: '前任法人' }, changed: [{ label: '法定代表人' }] });
  });
});
