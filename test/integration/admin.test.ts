/**
 * The 管理员's console API over HTTP: who may call it, 证书用途 (projects) and prices. Contract and
 * SMS templates: admin-templates.test.ts.
 *
 * CI's PostgreSQL is shared by every suite at once and keeps every run's rows, so this suite makes
 * its own projects and runs on a clock far in the future: the prices it adds take effect only
 * there, and no other suite (on today's clock) ever pays them.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { movableClock, startTestApp, type TestApp } from '../support/app.ts';
import { loggedInApplicant, verifiedDraft } from '../support/applicant.ts';
import { TestClient, type ErrorBody } from '../support/http.ts';
import { auditActions } from '../support/audit.ts';
import { submittedApplication } from '../support/scenario.ts';
import { loggedInStaff } from '../support/staff.ts';

// Somewhere in the 23rd century, a different second on every run.
const clock = movableClock(new Date(Date.UTC(2200, 0, 1) + randomInt(0, 2 ** 40)));
let t: TestApp;
let admin: TestClient;

beforeAll(async () => {
  t = await startTestApp({ clock: clock.now });
  admin = await loggedInStaff(t, clock, ['admin']);
});
afterAll(async () => {
  await t?.close();
});

interface ProjectBody {
  project: { id: string; name: string; active: boolean; requiresSecondReview: boolean; extraAttachments: Record<string, string[]>; sortOrder: number };
}
interface PriceBody {
  price: { id: number; kind: string; amountFen: number; amountYuan: string; effectiveFrom: string; state: string; stateLabel: string };
}

const newProjectId = () => `t-${randomBytes(5).toString('hex')}`;
const projectInput = (id: string, extra: Partial<Record<string, unknown>> = {}) => ({
  id,
  name: `测试项目${id}`,
  description: '管理员接口测试',
  extraAttachments: { enterprise: [], institution: ['application_form', 'authorisation_letter'] },
  sortOrder: 900,
  requiresSecondReview: true,
  ...extra,
});

describe('管理员接口的权限', () => {
  const endpoints: [string, string, unknown?][] = [
    ['GET', '/api/admin/projects'],
    ['POST', '/api/admin/projects', projectInput('t-never')],
    ['PUT', '/api/admin/projects/nmg-etax', projectInput('nmg-etax')],
    ['POST', '/api/admin/projects/nmg-etax/activate'],
    ['POST', '/api/admin/projects/nmg-etax/deactivate'],
    ['GET', '/api/admin/prices'],
    ['POST', '/api/admin/prices', { kind: 'first', amountYuan: '1.00' }],
    ['GET', '/api/admin/contract-templates'],
    ['GET', '/api/admin/contract-templates/1'],
    ['POST', '/api/admin/contract-templates', { title: '合同', body: '正文' }],
    ['GET', '/api/admin/sms-templates'],
    ['GET', '/api/admin/sms-templates/login_code'],
    ['POST', '/api/admin/sms-templates/login_code', { body: '验证码${code}' }],
    ['GET', '/api/staff/accounts'],
    ['POST', '/api/staff/accounts', { username: 'nobody', displayName: '无', password: 'x', roles: ['admin'] }],
    ['POST', '/api/staff/accounts/00000000-0000-0000-0000-000000000000/disable'],
    ['POST', '/api/staff/accounts/00000000-0000-0000-0000-000000000000/enable'],
    ['PUT', '/api/staff/accounts/00000000-0000-0000-0000-000000000000/roles', { roles: ['admin'] }],
    ['POST', '/api/staff/accounts/00000000-0000-0000-0000-000000000000/reset-totp'],
  ];

  it('refuses a 审核员 (403), an applicant and an anonymous caller (401) on every endpoint, and changes nothing', async () => {
    const reviewer = await loggedInStaff(t, clock, ['reviewer', 'finance', 'producer']);
    const applicant = await loggedInApplicant(t);
    const anonymous = new TestClient(t.url);
    for (const [method, path, body] of endpoints) {
      const send = (c: TestClient) => c.request<ErrorBody>(method, path, body ?? (method === 'GET' ? undefined : {}));
      const forbidden = await send(reviewer);
      expect(forbidden.status, `${method} ${path}`).toBe(403);
      expect(forbidden.body.error.message).toBe('无权执行此操作');
      for (const outsider of [applicant, anonymous]) {
        const refused = await send(outsider);
        expect(refused.status, `${method} ${path}`).toBe(401);
        expect(refused.body.error.message).toBe('请先登录');
      }
    }
    const list = await admin.get<{ projects: { id: string }[] }>('/api/admin/projects');
    expect(list.body.projects.some((p) => p.id === 't-never')).toBe(false);
  });
});

describe('证书用途', () => {
  it('creates, validates in Chinese, updates and audits a project', async () => {
    const id = newProjectId();
    const bad = async (body: unknown, message: string | RegExp) => {
      const res = await admin.post<ErrorBody>('/api/admin/projects', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    };
    await bad(projectInput('Bad Id'), '项目标识须为2至40位，以小写字母开头，只含小写字母、数字和连字符');
    await bad(projectInput(id, { name: ' ' }), '请输入项目名称');
    await bad(projectInput(id, { extraAttachments: { enterprise: ['business_licence'], institution: [] } }), '附件类型不正确');
    await bad(projectInput(id, { sortOrder: 1.5 }), '排序须为整数');

    const created = await admin.post<ProjectBody>('/api/admin/projects', projectInput(id));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.project).toMatchObject({ id, active: true, requiresSecondReview: true, sortOrder: 900 });
    const again = await admin.post<ErrorBody>('/api/admin/projects', projectInput(id));
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe(`项目标识“${id}”已存在，请换一个`);

    const updated = await admin.request<ProjectBody>('PUT', `/api/admin/projects/${id}`, {
      ...projectInput(id, { name: '改名后的项目', requiresSecondReview: false }),
      id: undefined,
      extraAttachments: { enterprise: ['legal_rep_signature', 'legal_rep_signature'], institution: [] },
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.project).toMatchObject({ name: '改名后的项目', requiresSecondReview: false, extraAttachments: { enterprise: ['legal_rep_signature'], institution: [] } });
    const missing = await admin.request<ErrorBody>('PUT', `/api/admin/projects/${newProjectId()}`, { ...projectInput(id), id: undefined });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('项目不存在');

    const list = await admin.get<{ projects: { id: string; name: string }[]; attachmentKinds: { kind: string; institution: string }[] }>('/api/admin/projects');
    expect(list.body.projects.find((p) => p.id === id)?.name).toBe('改名后的项目');
    expect(list.body.attachmentKinds.map((k) => k.institution)).toContain('授权委托书（加盖单位公章）');
    const applicant = await loggedInApplicant(t);
    const offered = await applicant.get<{ items: { id: string; extraAttachments: { enterprise: { label: string }[] } }[] }>('/api/projects');
    expect(offered.body.items.find((p) => p.id === id)?.extraAttachments.enterprise.map((k) => k.label)).toEqual(['法人签名']);

    // Withdrawn, so that the shared database's portal does not offer test projects.
    expect((await admin.post(`/api/admin/projects/${id}/deactivate`)).status).toBe(200);
    expect(await auditActions(t, 'project', id)).toEqual(['project.create', 'project.update', 'project.deactivate']);
  });

  it('withdraws a project from applicants while an application that chose it keeps it and its second review', async () => {
    const id = newProjectId();
    expect((await admin.post('/api/admin/projects', projectInput(id))).status).toBe(201);
    const applicant = await loggedInApplicant(t);
    const submitted = await submittedApplication(t, applicant, { projectId: id });

    const off = await admin.post<ProjectBody>(`/api/admin/projects/${id}/deactivate`);
    expect(off.status).toBe(200);
    expect(off.body.project.active).toBe(false);
    const offered = await applicant.get<{ items: { id: string }[] }>('/api/projects');
    expect(offered.body.items.some((p) => p.id === id)).toBe(false);
    const all = await admin.get<{ projects: { id: string; active: boolean }[] }>('/api/admin/projects');
    expect(all.body.projects.find((p) => p.id === id)?.active).toBe(false);

    // The application keeps its project, and the project's four-eyes rule still holds for it.
    const view = await applicant.get<{ project: { id: string; name: string } | null }>(`/api/applications/${submitted.id}`);
    expect(view.body.project).toEqual({ id, name: `测试项目${id}` });
    const reviewer = await loggedInStaff(t, clock, ['reviewer']);
    const detail = await reviewer.get<{ projectName: string; requiresSecondReview: boolean }>(`/api/review/applications/${submitted.id}`);
    expect(detail.body).toMatchObject({ projectName: `测试项目${id}`, requiresSecondReview: true });
    const decided = await reviewer.post<{ statusLabel: string; stage: string }>(`/api/review/applications/${submitted.id}/decision`, { decision: 'approve' });
    expect(decided.body).toMatchObject({ statusLabel: '待审核', stage: 'first' });

    // A new draft cannot choose it.
    const other = await loggedInApplicant(t);
    const draft = await verifiedDraft(other);
    const chosen = await other.request<ErrorBody>('PUT', `/api/applications/${draft.id}/form`, { projectId: id, invoice: { wanted: false }, delivery: { method: 'pickup' } });
    expect(chosen.status).toBe(400);
    expect(chosen.body.error.message).toBe('所选项目不存在或已停用，请重新选择所属项目');

    expect((await admin.post<ProjectBody>(`/api/admin/projects/${id}/activate`)).body.project.active).toBe(true);
    expect((await admin.post(`/api/admin/projects/${id}/deactivate`)).status).toBe(200);
    expect(await auditActions(t, 'project', id)).toEqual(['project.create', 'project.deactivate', 'project.activate', 'project.deactivate']);
  });
});

describe('价格', () => {
  const amountOf = async (client: TestClient, id: string) =>
    (await client.get<{ items: { id: string; amount: string }[] }>('/api/applications')).body.items.find((i) => i.id === id)?.amount;

  it('refuses amounts out of range, badly written or in the past, in Chinese', async () => {
    const bad = async (body: Record<string, unknown>, message: string) => {
      const res = await admin.post<ErrorBody>('/api/admin/prices', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toBe(message);
    };
    await bad({ kind: 'first', amountYuan: '0' }, '价格必须大于0元（只有变更、补办可以免费）');
    await bad({ kind: 'renewal', amountYuan: '0.00' }, '价格必须大于0元（只有变更、补办可以免费）');
    await bad({ kind: 'renewal', amountYuan: '100000.01' }, '价格不能超过100000元');
    await bad({ kind: 'first', amountYuan: '19.999' }, '金额格式不正确，请输入最多两位小数的元金额，如 195.00');
    await bad({ kind: 'first', amountYuan: '-5' }, '金额格式不正确，请输入最多两位小数的元金额，如 195.00');
    await bad({ kind: 'gift', amountYuan: '5' }, '请选择价格类型');
    await bad(
      { kind: 'first', amountYuan: '5', effectiveFrom: new Date(clock.now().getTime() - 86_400_000).toISOString() },
      '生效时间不能早于当前时间：已生效的价格不能修改，请设置现在或将来的时间',
    );
  });

  it('applies a new price to applications created from its effective time; earlier ones keep theirs', async () => {
    const early = await loggedInApplicant(t);
    const before = await verifiedDraft(early);
    const oldAmount = await amountOf(early, before.id);
    expect(oldAmount).toMatch(/^\d+\.\d{2}$/);
    // Different from whatever an earlier run left in force here.
    const newFen = (Math.round(Number(oldAmount) * 100) % 50_000) + randomInt(1, 10_000);
    const newYuan = `${Math.floor(newFen / 100)}.${String(newFen % 100).padStart(2, '0')}`;

    // Within the sessions' 30 idle minutes, so that every client stays logged in.
    const from = new Date(clock.now().getTime() + 10 * 60_000);
    const added = await admin.post<PriceBody>('/api/admin/prices', { kind: 'first', amountYuan: newYuan, effectiveFrom: from.toISOString() });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.price).toMatchObject({ kind: 'first', amountFen: newFen, amountYuan: newYuan, state: 'scheduled', stateLabel: '待生效' });
    expect(added.body.price.effectiveFrom).toBe(from.toISOString());
    const clash = await admin.post<ErrorBody>('/api/admin/prices', { kind: 'first', amountYuan: '1', effectiveFrom: from.toISOString() });
    expect(clash.status).toBe(409);

    const stillOld = await verifiedDraft(early);
    expect(await amountOf(early, stillOld.id)).toBe(oldAmount);

    clock.advance(11 * 60);
    const late = await loggedInApplicant(t);
    const after = await verifiedDraft(late);
    expect(await amountOf(late, after.id)).toBe(newYuan);
    expect(await amountOf(early, before.id)).toBe(oldAmount);
    expect(await amountOf(early, stillOld.id)).toBe(oldAmount);
    // The contract shown from now on quotes the new price.
    const contract = await late.get<{ text: string }>(`/api/applications/${after.id}/contract`);
    expect(contract.body.text).toContain(`首次申请费用为每年 ${newYuan} 元`);

    const history = await admin.get<{ prices: PriceBody['price'][] }>('/api/admin/prices');
    const firsts = history.body.prices.filter((p) => p.kind === 'first');
    expect(firsts.find((p) => p.id === added.body.price.id)?.state).toBe('current');
    expect(firsts.filter((p) => p.state === 'current')).toHaveLength(1);
    expect(await auditActions(t, 'price', String(added.body.price.id))).toEqual(['price.add']);
  });

  it('takes effect at once when no time is given', async () => {
    const res = await admin.post<PriceBody>('/api/admin/prices', { kind: 'renewal', amountYuan: '158.5' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.price).toMatchObject({ amountFen: 15850, amountYuan: '158.50', state: 'current', effectiveFrom: clock.now().toISOString() });
  });
});
