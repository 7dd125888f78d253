/**
 * The 管理员's contract and SMS templates over HTTP: placeholders checked in Chinese, a new contract
 * version shown to the next reader while an earlier acceptance keeps (and still reproduces) its
 * version, a new SMS version used by the next message.
 *
 * Templates are global: the newest version is everyone's. CI's PostgreSQL is shared by all suites
 * at once and persists, so each test that adds a version adds the original text back as a newer
 * version before it ends (in `finally`). The risk that remains, and is accepted: for the few
 * hundred milliseconds in between, another suite may be shown the test's version (a contract
 * accepted across that moment gets 合同内容已更新; the SMS test only appends to the approval text,
 * so other suites' checks on it still hold).
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractAcceptances } from '../../src/db/schema.ts';
import { fillTemplate, sha256Hex } from '../../src/modules/contracts/service.ts';
import { movableClock, randomPhone, startTestApp, type TestApp } from '../support/app.ts';
import { acceptContract, company, loggedInApplicant, person, verifiedDraft } from '../support/applicant.ts';
import { TestClient, type ErrorBody } from '../support/http.ts';
import { auditActions } from '../support/audit.ts';
import { submittedApplication } from '../support/scenario.ts';
import { loggedInStaff } from '../support/staff.ts';

const clock = movableClock();
let t: TestApp;
let admin: TestClient;

beforeAll(async () => {
  t = await startTestApp({ clock: clock.now });
  admin = await loggedInStaff(t, clock, ['admin']);
});
afterAll(async () => {
  await t?.close();
});

interface Template {
  version: number;
  title: string;
  body: string;
}
const marker = () => `测试标记${randomBytes(4).toString('hex')}`;

describe('合同模板', () => {
  const current = async () => {
    const list = await admin.get<{ versions: { version: number; current: boolean }[]; placeholders: { name: string }[] }>('/api/admin/contract-templates');
    expect(list.status).toBe(200);
    const head = list.body.versions[0]!;
    expect(head.current).toBe(true);
    const one = await admin.get<{ template: Template }>(`/api/admin/contract-templates/${head.version}`);
    return { template: one.body.template, placeholders: list.body.placeholders.map((p) => p.name) };
  };

  it('refuses unknown or malformed placeholders, in Chinese', async () => {
    const { placeholders } = await current();
    expect(placeholders).toEqual(expect.arrayContaining(['orgName', 'uscc', 'firstPriceYuan', 'operatorIdNumberMasked']));
    const bad = async (body: Record<string, unknown>, message: string) => {
      const res = await admin.post<ErrorBody>('/api/admin/contract-templates', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toBe(message);
    };
    await bad({ title: '合同', body: '甲方：{{orgName}}，地址：{{orgAddress}}' }, '合同正文含有不支持的占位符：{{orgAddress}}。可用的占位符见右侧列表');
    await bad({ title: '合同', body: '甲方：{{ orgName }}' }, '合同正文中有格式不正确的占位符，占位符应写作 {{orgName}} 的形式（双花括号内不含空格）');
    await bad({ title: ' ', body: '正文' }, '请输入合同标题');
    await bad({ title: '合同' }, '请输入合同正文');
    expect((await admin.get<ErrorBody>('/api/admin/contract-templates/999999')).body.error.message).toBe('合同模板第999999版不存在');
  });

  it('shows the new version to the next reader; an earlier acceptance keeps its version and still reproduces its text', async () => {
    const { template: original } = await current();
    // Both applicants are ready before the new version exists, to keep the window short.
    const early = await loggedInApplicant(t);
    const signed = await verifiedDraft(early);
    const shown = await acceptContract(early, signed.id, 'sign');
    expect(shown.version).toBe(original.version);
    const next = await loggedInApplicant(t);
    const draft = await verifiedDraft(next);

    const mark = marker();
    let added: Template | undefined;
    let shownToNext: { version: number; text: string } | undefined;
    try {
      const res = await admin.post<{ template: Template }>('/api/admin/contract-templates', { title: original.title, body: `${original.body}\n\n附则：${mark}` });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      added = res.body.template;
      shownToNext = (await next.get<{ version: number; text: string }>(`/api/applications/${draft.id}/contract`)).body;
    } finally {
      const restored = await admin.post('/api/admin/contract-templates', { title: original.title, body: original.body });
      expect(restored.status).toBe(201);
    }
    expect(added.version).toBeGreaterThan(original.version);
    expect(shownToNext).toMatchObject({ version: added.version });
    expect(shownToNext?.text).toContain(mark);

    // The early acceptance still says version N, and version N rebuilds exactly the text it hashed.
    const view = await early.get<{ contractAcceptances: { kind: string; version: number }[] }>(`/api/applications/${signed.id}`);
    expect(view.body.contractAcceptances).toEqual([expect.objectContaining({ kind: 'sign', version: original.version })]);
    const [evidence] = await t.certdesk.database.db.select().from(contractAcceptances).where(eq(contractAcceptances.applicationId, signed.id));
    const kept = (await admin.get<{ template: Template }>(`/api/admin/contract-templates/${original.version}`)).body.template;
    // The prices are those the applicant was shown (the acceptance hashed the text with them in it).
    const rebuilt = fillTemplate(kept.body, {
      applicationNumber: signed.number,
      orgName: company.name,
      uscc: company.uscc,
      legalRepresentative: company.legalRepresentative,
      operatorName: person.name,
      operatorIdNumber: person.idNumber,
      operatorPhone: person.phone,
      caName: t.config.caName,
      firstPriceFen: Math.round(Number(/首次申请费用为每年 ([\d.]+) 元/.exec(shown.text)?.[1]) * 100),
      renewalPriceFen: Math.round(Number(/续费为每年 ([\d.]+) 元/.exec(shown.text)?.[1]) * 100),
    });
    expect(rebuilt).toBe(shown.text);
    expect(evidence).toMatchObject({ templateVersion: original.version, textSha256: sha256Hex(rebuilt) });
    expect(await auditActions(t, 'contract_template', String(added.version))).toEqual(['contract_template.add']);
  });
});

describe('短信模板', () => {
  interface SmsList {
    signName: string;
    templates: { code: string; label: string; variables: { name: string }[]; current: { version: number; body: string } | null }[];
  }

  it('lists each template with its variables and refuses a text whose variables are not exactly those', async () => {
    const list = await admin.get<SmsList>('/api/admin/sms-templates');
    expect(list.status).toBe(200);
    expect(list.body.signName).toBe(t.config.sms.signName);
    const approved = list.body.templates.find((x) => x.code === 'review_approved');
    expect(approved).toMatchObject({ label: '资料审核通过', variables: [{ name: 'number' }, { name: 'amount' }] });
    expect(approved?.current?.body).not.toMatch(/【/);

    const bad = async (code: string, body: string, message: string, status = 400) => {
      const res = await admin.post<ErrorBody>(`/api/admin/sms-templates/${code}`, { body });
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.message).toBe(message);
    };
    await bad('review_approved', '申请${number}已通过，请缴费。', '短信内容缺少变量：${amount}');
    await bad('review_returned', '申请${number}未通过，金额${amount}', '短信内容含有未知变量：${amount}。本模板只能使用：${number}');
    await bad('login_code', '【CertDesk】验证码${code}', '短信内容不能含有“【】”：短信签名由短信服务自动添加，请勿写入正文');
    await bad('login_code', `验证码\${code}${'很'.repeat(500)}`, '短信内容不能超过500个字（当前510个字）');
    await bad('login_code', '验证码${code}，$' + '{ code }', '短信内容中有格式不正确的变量，变量应写作 ${code} 的形式');
    await bad('no_such', '验证码${code}', '短信模板不存在');
  });

  it('sends the next 审核通过 SMS with the new version', async () => {
    const list = await admin.get<SmsList>('/api/admin/sms-templates');
    const original = list.body.templates.find((x) => x.code === 'review_approved')!.current!;
    const applicant = await loggedInApplicant(t);
    const { id, number } = await submittedApplication(t, applicant);
    const reviewer = await loggedInStaff(t, clock, ['reviewer']);

    // A message went out before the new version, so the simulator holds the texts it read then:
    // the new version must reach the next message all the same.
    const early = randomPhone();
    expect((await new TestClient(t.url).post('/api/auth/sms-code', { phone: early })).status).toBe(200);
    await smsFor(early, '验证码');

    // Appended, so that other suites' checks on the approval text hold while this version is newest.
    const mark = marker();
    let added: { version: number } | undefined;
    let text: string | undefined;
    try {
      const res = await admin.post<{ template: { version: number; body: string } }>('/api/admin/sms-templates/review_approved', { body: `${original.body}${mark}` });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      added = res.body.template;
      expect((await reviewer.post(`/api/review/applications/${id}/decision`, { decision: 'approve' })).status).toBe(200);
      text = await smsFor(applicant.phone!, number);
    } finally {
      // Only once the SMS is out: the simulator renders the text when it sends, not when it is queued.
      expect((await admin.post('/api/admin/sms-templates/review_approved', { body: original.body })).status).toBe(201);
    }
    expect(text).toMatch(new RegExp(`^【${t.config.sms.signName}】.*申请单号${number}.*${mark}$`));
    const history = await admin.get<{ versions: { version: number }[] }>('/api/admin/sms-templates/review_approved');
    expect(history.body.versions.map((v) => v.version)).toContain(added!.version);
    expect(await auditActions(t, 'sms_template', `review_approved:${added!.version}`)).toEqual(['sms_template.add']);
  });
});

/** The newest SMS to `phone` at /dev/sms that names `marker`, waiting for the job queue. */
async function smsFor(phone: string, marker: string): Promise<string> {
  for (let i = 0; i < 75; i++) {
    const html = await (await fetch(`${t.url}/dev/sms`)).text();
    const row = [...html.matchAll(/<tr data-phone="(\d+)">[\s\S]*?<td>([^<]*)<\/td><\/tr>/g)].find((m) => m[1] === phone && m[2]!.includes(marker));
    if (row) return row[2]!;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no SMS with ${marker} for ${phone}`);
}
