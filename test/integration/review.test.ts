/**
 * Review over HTTP: the 审核员's queue and decisions; 审核不通过 returns one item with a reason, the
 * applicant may change only that item and resubmits, the reviewer sees what changed, 审核通过 →
 * 资料审核通过. Roles are enforced by the domain's transition() and the routes. The applications
 * under review are submitted through the scenario builder (the way to 待审核 over HTTP is
 * applications.test.ts's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/modules/audit/chain.ts';
import { parseCertificate } from '../../src/pki/certificate-info.ts';
import { generateP256 } from '../../src/pki/signer.ts';
import { movableClock, startTestApp, type TestApp } from '../support/app.ts';
import { acceptContract, company, loggedInApplicant, postDelivery, uploadAll } from '../support/applicant.ts';
import type { ErrorBody } from '../support/http.ts';
import { jpegScan } from '../support/images.ts';
import { submittedApplication } from '../support/scenario.ts';
import { waitForSms } from '../support/sms.ts';
import { loggedInStaff } from '../support/staff.ts';

const clock = movableClock();
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock: clock.now });
});
afterAll(async () => {
  await t?.close();
});

async function reviewer() {
  return loggedInStaff(t, clock, ['reviewer']);
}

const smsFor = (phone: string, marker: string) => waitForSms(t.url, phone, marker);

interface Detail {
  statusLabel: string;
  attachments: { id: string; kind: string; label: string }[];
  changedSinceLastReview: string[] | null;
  previousDecision: { decision: string; items: { item: string; label: string }[] } | null;
  duplicates: unknown[];
}

describe('审核', () => {
  it('returns one attachment, the applicant fixes only that, and the second review approves', async () => {
    const applicant = await loggedInApplicant(t);
    const { id, number } = await submittedApplication(t, applicant);
    const staff = await reviewer();

    const queue = await staff.get<{ items: { id: string; number: string; statusLabel: string }[] }>(`/api/review/queue?q=${number}`);
    expect(queue.status).toBe(200);
    expect(queue.body.items.find((i) => i.id === id)).toMatchObject({ number, statusLabel: '待审核' });

    const detail = await staff.get<Detail>(`/api/review/applications/${id}`);
    expect(detail.body.attachments.map((a) => a.label)).toContain('企业印章');
    expect(detail.body.changedSinceLastReview).toBeNull();
    const seal = detail.body.attachments.find((a) => a.kind === 'org_seal')!;
    expect((await staff.get(`/api/review/applications/${id}/attachments/${seal.id}/content`)).status).toBe(200);

    const empty = await staff.post<ErrorBody>(`/api/review/applications/${id}/decision`, { decision: 'return', items: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toBe('请至少选择一项需要修改的内容并填写原因');

    const returned = await staff.post<{ statusLabel: string }>(`/api/review/applications/${id}/decision`, {
      decision: 'return',
      items: [{ item: 'attachment:org_seal', reason: '印章图像模糊，请重新扫描' }],
    });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(returned.body.statusLabel).toBe('待修改');
    expect(await smsFor(applicant.phone!, '资料审核未通过')).toBe(
      `【CertDesk】您的证书及电子印章申请（申请单号${number}）资料审核未通过。请登录数字证书在线受理平台查看修改意见，修改后再次提交。`,
    );

    const view = await applicant.get<{ statusLabel: string; returnedItems: { item: string; label: string; reason: string }[] }>(`/api/applications/${id}`);
    expect(view.body.statusLabel).toBe('待修改');
    expect(view.body.returnedItems).toEqual([{ item: 'attachment:org_seal', label: '企业印章', reason: '印章图像模糊，请重新扫描' }]);

    // Only the returned item may change.
    const other = await applicant.upload<ErrorBody>(`/api/applications/${id}/attachments/business_licence`, await jpegScan('x'), 'x.jpg');
    expect(other.status).toBe(409);
    expect(other.body.error.message).toBe('营业执照副本扫描件未被退回修改，不能更改');
    const form = await applicant.request<ErrorBody>('PUT', `/api/applications/${id}/form`, {
      projectId: 'nmg-etax',
      invoice: { wanted: false },
      delivery: { ...postDelivery, address: '别的地址' },
    });
    expect(form.status).toBe(409);
    const early = await applicant.post<ErrorBody>(`/api/applications/${id}/resubmit`);
    expect(early.status).toBe(422);
    expect(early.body.error.message).toBe('请先修改退回的内容：企业印章');

    await uploadAll(applicant, id, ['org_seal'], '（重新扫描）');
    const resubmitted = await applicant.post<{ statusLabel: string }>(`/api/applications/${id}/resubmit`);
    expect(resubmitted.status, JSON.stringify(resubmitted.body)).toBe(200);
    expect(resubmitted.body.statusLabel).toBe('待审核');

    const second = await staff.get<Detail>(`/api/review/applications/${id}`);
    expect(second.body.changedSinceLastReview).toEqual(['attachment:org_seal']);
    expect(second.body.previousDecision?.items.map((i) => i.label)).toEqual(['企业印章']);

    const approved = await staff.post<{ statusLabel: string }>(`/api/review/applications/${id}/decision`, { decision: 'approve' });
    expect(approved.body.statusLabel).toBe('资料审核通过');
    expect(await smsFor(applicant.phone!, '资料审核通过')).toContain(`申请单号${number}）资料审核通过，应缴费用195.00元`);
    const list = await applicant.get<{ items: { id: string; statusLabel: string }[] }>('/api/applications');
    expect(list.body.items.find((i) => i.id === id)?.statusLabel).toBe('资料审核通过');

    const twice = await staff.post<ErrorBody>(`/api/review/applications/${id}/decision`, { decision: 'approve' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toBe('当前状态为“资料审核通过”，不能审核通过');
    expect((await verifyAuditChain(t.certdesk.database.db)).ok).toBe(true);
  });

  it('lets a returned 证书领取方式 change while the untouched invoice stays as it was', async () => {
    const applicant = await loggedInApplicant(t);
    const { id } = await submittedApplication(t, applicant);
    const staff = await reviewer();
    await staff.post(`/api/review/applications/${id}/decision`, {
      decision: 'return',
      items: [{ item: 'field:delivery', reason: '请填写完整的收件地址' }],
    });
    const form = await applicant.request('PUT', `/api/applications/${id}/form`, {
      projectId: 'nmg-etax',
      invoice: { wanted: false },
      delivery: { ...postDelivery, address: '大学东街 1 号 2 单元 301 室' },
    });
    expect(form.status, JSON.stringify(form.body)).toBe(200);
    expect((await applicant.post(`/api/applications/${id}/resubmit`)).status).toBe(200);
    const detail = await staff.get<Detail>(`/api/review/applications/${id}`);
    expect(detail.body.changedSinceLastReview).toEqual(['field:delivery']);
  });

  it('shows other open applications of the same organisation', async () => {
    const applicant = await loggedInApplicant(t);
    const first = await submittedApplication(t, applicant);
    const second = await submittedApplication(t, applicant);
    const staff = await reviewer();
    const detail = await staff.get<Detail>(`/api/review/applications/${second.id}`);
    expect(detail.body.duplicates).toEqual(expect.arrayContaining([expect.objectContaining({ id: first.id, statusLabel: '待审核' })]));
  });

  it("shows the organisation's valid certificates", async () => {
    const applicant = await loggedInApplicant(t);
    const app = await submittedApplication(t, applicant);
    // A certificate the CA issued to this organisation earlier (its 统一社会信用代码 in the subject).
    const [der] = await t.certdesk.ca.ca.issueBatch({ kind: 'system', id: 'test' }, 'p256', [
      { spki: generateP256().signer.spki, org: company.name, uscc: company.uscc },
    ]);
    const serial = parseCertificate(der!).serialHex;
    const detail = await (await reviewer()).get<{ validCertificates: { serialHex: string }[] }>(`/api/review/applications/${app.id}`);
    expect(detail.body.validCertificates.map((c) => c.serialHex)).toContain(serial);
  });

  it('lets only reviewers decide', async () => {
    const applicant = await loggedInApplicant(t);
    const { id } = await submittedApplication(t, applicant);
    expect((await applicant.get('/api/review/queue')).status).toBe(401);
    expect((await applicant.post(`/api/review/applications/${id}/decision`, { decision: 'approve' })).status).toBe(401);
    const finance = await loggedInStaff(t, clock, ['finance']);
    const refused = await finance.post<ErrorBody>(`/api/review/applications/${id}/decision`, { decision: 'approve' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('无权执行此操作');
  });

  it('does not show drafts to reviewers', async () => {
    const applicant = await loggedInApplicant(t);
    const op = await applicant.post<{ id: string }>('/api/applications/identity/operator', {
      applicantType: 'enterprise',
      operatorName: '巴特尔',
      operatorIdNumber: '150105198203154218',
      operatorPhone: '13904711234',
    });
    await acceptContract(applicant, op.body.id, 'sign').catch(() => undefined);
    const staff = await reviewer();
    expect((await staff.get(`/api/review/applications/${op.body.id}`)).status).toBe(404);
  });
});
