/**
 * 单位证书及电子印章申请 over HTTP: the enterprise and the 事业单位 paths from 实名认证 to 待审核,
 * refusals with the field named, owner-only access, cancellation, and the audit chain.
 */
import { eq, sql } from 'drizzle-orm';
import { projects } from '../../src/db/schema.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/modules/audit/chain.ts';
import { exampleUnlistedInstitution, registryFixtures } from '../../src/providers/registry/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { acceptContract, baseKinds, company, loggedInApplicant, person, postDelivery, submitOverHttp, uploadAll, verifiedDraft } from '../support/applicant.ts';
import { LocalBlobStore } from '../../src/storage/local.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestClient, type ErrorBody } from '../support/http.ts';
import { bmpScan, gifImage, jpegScan, largeJpeg, pdfDocument, pngScan } from '../support/images.ts';

/** Blob writes can be held back, to put an upload's last step after a 提交 (the race below). */
const gate = { held: undefined as Promise<void> | undefined };
class GatedBlobStore extends LocalBlobStore {
  override async put(key: string, data: Buffer, contentType: string): Promise<void> {
    await gate.held;
    return super.put(key, data, contentType);
  }
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ blobs: new GatedBlobStore(mkdtempSync(path.join(tmpdir(), 'certdesk-blobs-'))) });
});
afterAll(async () => {
  await t?.close();
});

const applicant = () => loggedInApplicant(t);
const accept = acceptContract;

describe('the enterprise path', () => {
  it('goes from 实名认证 to 待审核 and shows in the list at 195.00 元', async () => {
    const client = await applicant();
    const draft = await verifiedDraft(client);
    expect(draft.outcome).toBe('match');
    expect(draft.message).toBe('实名认证成功');
    expect(draft.number).toMatch(/^CD\d{8}\d{6}$/);

    const contract = await accept(client, draft.id, 'sign');
    expect(contract.text).toContain(company.name);
    expect(contract.text).toContain('195.00');

    const early = await client.post<ErrorBody>(`/api/applications/${draft.id}/attachments/complete`);
    expect(early.status).toBe(422);
    expect(early.body.error.message).toBe('请上传：营业执照副本扫描件、企业印章、法定代表人身份证件（人像面）、法定代表人身份证件（国徽面）');

    await uploadAll(client, draft.id, ['business_licence', 'org_seal', 'legal_rep_id_front', 'legal_rep_id_back']);
    expect((await client.post(`/api/applications/${draft.id}/attachments/complete`)).status).toBe(200);
    await accept(client, draft.id, 'read');

    const form = await client.request('PUT', `/api/applications/${draft.id}/form`, {
      projectId: 'nmg-gov-procurement',
      invoice: { wanted: true, type: 'normal', title: company.name, taxNumber: company.uscc, email: 'caiwu@example.com' },
      delivery: postDelivery,
    });
    expect(form.status, JSON.stringify(form.body)).toBe(200);

    const missing = await client.post<ErrorBody>(`/api/applications/${draft.id}/submit`);
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toBe('请上传：法人手章、法人签名');

    await uploadAll(client, draft.id, ['legal_rep_personal_seal', 'legal_rep_signature']);
    const submitted = await client.post<{ statusLabel: string }>(`/api/applications/${draft.id}/submit`);
    expect(submitted.status).toBe(200);
    expect(submitted.body.statusLabel).toBe('待审核');

    const list = await client.get<{ items: { number: string; orgName: string; projectName: string; amount: string; statusLabel: string }[] }>('/api/applications');
    expect(list.body.items[0]).toMatchObject({
      number: draft.number,
      orgName: company.name,
      projectName: '内蒙古自治区政府采购云平台',
      amount: '195.00',
      statusLabel: '待审核',
    });

    const view = await client.get<{ contractAcceptances: { kind: string }[] }>(`/api/applications/${draft.id}`);
    expect(view.body.contractAcceptances.map((c) => c.kind)).toEqual(['sign', 'read']);
    const again = await client.post<ErrorBody>(`/api/applications/${draft.id}/submit`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('当前状态为“待审核”，不能提交');
  });
});

describe('the 事业单位 path', () => {
  it('continues after 企业不存在 and needs the stamped 申请表 and 授权委托书', async () => {
    const client = await applicant();
    const inst = exampleUnlistedInstitution();
    const draft = await verifiedDraft(client, { orgName: inst.name, uscc: inst.uscc, legalRepresentative: inst.legalRepresentative });
    expect(draft.outcome).toBe('not_found');
    expect(draft.message).toContain('企业不存在');
    await accept(client, draft.id, 'sign');
    // The manual's 事业单位 path: 电子合同 → the form → one upload step with everything → 提交.
    const path = await client.get<{ step: string; steps: string[] }>(`/api/applications/${draft.id}`);
    expect(path.body.steps).toEqual(['identity', 'contract', 'form', 'project_attachments']);
    expect(path.body.step).toBe('form');
    const early = await client.upload(`/api/applications/${draft.id}/attachments/institution_certificate`, await jpegScan('early'), 'c.jpg', 'image/jpeg');
    expect(early.status).toBe(409);
    expect((await client.post(`/api/applications/${draft.id}/attachments/complete`)).status).toBe(409);
    const form = await client.request('PUT', `/api/applications/${draft.id}/form`, {
      projectId: 'nmg-public-resources',
      invoice: { wanted: false },
      delivery: { method: 'pickup' },
    });
    expect(form.status, JSON.stringify(form.body)).toBe(200);

    const pdf = await fetch(`${t.url}/api/applications/${draft.id}/templates/authorisation-letter.pdf`, { headers: { cookie: client.cookie ?? '' } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');

    const view = await client.get<{ applicantType: string; step: string; manualReview: boolean; projectAttachments: { kind: string }[] }>(`/api/applications/${draft.id}`);
    expect(view.body.applicantType).toBe('institution');
    expect(view.body.step).toBe('project_attachments');
    expect(view.body.manualReview).toBe(true);
    expect(view.body.projectAttachments.map((a) => a.kind)).toEqual([
      'application_form',
      'authorisation_letter',
      'legal_rep_personal_seal',
      'legal_rep_signature',
    ]);
    await uploadAll(client, draft.id, ['application_form', 'authorisation_letter', 'legal_rep_personal_seal', 'legal_rep_signature']);
    const missing = await client.post<ErrorBody>(`/api/applications/${draft.id}/submit`);
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toBe('请上传：事业单位法人证书');
    await uploadAll(client, draft.id, ['institution_certificate']);
    expect((await client.post(`/api/applications/${draft.id}/submit`)).status).toBe(200);
  });
});

describe('an upload racing 提交', () => {
  it('never lands on an application that was submitted meanwhile', async () => {
    const client = await applicant();
    // A draft at its last step: everything uploaded, ready to 提交.
    const second = await verifiedDraft(client);
    await accept(client, second.id, 'sign');
    await uploadAll(client, second.id, baseKinds);
    expect((await client.post(`/api/applications/${second.id}/attachments/complete`)).status).toBe(200);
    await accept(client, second.id, 'read');
    expect((await client.request('PUT', `/api/applications/${second.id}/form`, { projectId: 'nmg-etax', invoice: { wanted: false }, delivery: postDelivery })).status).toBe(200);
    const before = await client.get<{ baseAttachments: { kind: string; uploaded: { id: string } | null }[] }>(`/api/applications/${second.id}`);
    const licenceBefore = before.body.baseAttachments.find((a) => a.kind === 'business_licence')?.uploaded?.id;

    // The upload passes its first check, then waits while its bytes are written; 提交 goes through meanwhile.
    let release!: () => void;
    gate.held = new Promise<void>((resolve) => (release = resolve));
    const upload = client.upload(`/api/applications/${second.id}/attachments/business_licence`, await jpegScan('late'), 'late.jpg', 'image/jpeg');
    await new Promise((resolve) => setTimeout(resolve, 300));
    gate.held = undefined;
    const submitted = await client.post<{ statusLabel: string }>(`/api/applications/${second.id}/submit`);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    release();
    const late = await upload;
    expect(late.status).toBe(409);
    expect((late.body as ErrorBody).error.message).toBe('申请状态为“待审核”，不能修改');
    const after = await client.get<{ baseAttachments: { kind: string; uploaded: { id: string } | null }[] }>(`/api/applications/${second.id}`);
    expect(after.body.baseAttachments.find((a) => a.kind === 'business_licence')?.uploaded?.id).toBe(licenceBefore);
  });
});

describe('refusals name what is wrong', () => {
  it('checks the ID number and credit code before asking the registry', async () => {
    const client = await applicant();
    const badId = await client.post<ErrorBody>('/api/applications/identity/operator', {
      applicantType: 'enterprise',
      operatorName: person.name,
      operatorIdNumber: `${person.idNumber.slice(0, 17)}${person.idNumber[17] === '0' ? '1' : '0'}`,
      operatorPhone: person.phone,
    });
    expect(badId.status).toBe(400);
    expect(badId.body.error.message).toBe('身份证号校验位不正确，请核对后重新输入');

    const draft = await client.post<{ id: string }>('/api/applications/identity/operator', {
      applicantType: 'enterprise',
      operatorName: person.name,
      operatorIdNumber: person.idNumber,
      operatorPhone: person.phone,
    });
    const badUscc = await client.post<ErrorBody>(`/api/applications/${draft.body.id}/identity/organisation`, {
      orgName: company.name,
      uscc: `${company.uscc.slice(0, 17)}${company.uscc[17] === 'A' ? 'B' : 'A'}`,
      legalRepresentative: company.legalRepresentative,
    });
    expect(badUscc.status).toBe(400);
    expect(badUscc.body.error.message).toBe('统一社会信用代码校验位不正确，请核对后重新输入');

    const wrongRep = await client.post<ErrorBody>(`/api/applications/${draft.body.id}/identity/organisation`, {
      orgName: company.name,
      uscc: company.uscc,
      legalRepresentative: '张冒名',
    });
    expect(wrongRep.status).toBe(400);
    expect(wrongRep.body.error.message).toBe('企业认证未通过：法定代表人与登记信息不一致，请核对后重新输入');
  });

  it('names the mismatching field of the operator', async () => {
    const client = await applicant();
    const other = registryFixtures.persons[1]!;
    const res = await client.post<ErrorBody>('/api/applications/identity/operator', {
      applicantType: 'enterprise',
      operatorName: person.name,
      operatorIdNumber: person.idNumber,
      operatorPhone: other.phone,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^实名认证未通过：.*(手机号|姓名|身份证号).*与登记信息不一致/);
  });

  it('judges scans by content: BMP yes; GIF, a renamed PDF and 1.5 MB no', async () => {
    const client = await applicant();
    const { id } = await verifiedDraft(client);
    await accept(client, id, 'sign');
    const up = (data: Buffer, name: string) => client.upload<ErrorBody>(`/api/applications/${id}/attachments/org_seal`, data, name);
    expect((await up(bmpScan(), 'seal.bmp')).status).toBe(200);
    expect((await up(await pngScan(), 'seal.png')).status).toBe(200);
    const gif = await up(await gifImage(), 'seal.gif');
    expect(gif.status).toBe(422);
    expect(gif.body.error.message).toBe('不支持GIF格式，请上传JPEG、PNG或BMP格式的图片');
    const pdf = await up(pdfDocument(), 'seal.jpg');
    expect(pdf.status).toBe(422);
    expect(pdf.body.error.message).toContain('该文件实际是PDF文档，不是图片');
    const big = await up(await largeJpeg(), 'big.jpg');
    expect(big.status).toBe(422);
    expect(big.body.error.message).toMatch(/^文件大小为1\.\dMB，超过1MB的限制，请压缩后重新上传$/);
  });

  it('wants the bank details of a 增值税专用发票', async () => {
    const client = await applicant();
    const { id } = await verifiedDraft(client);
    await accept(client, id, 'sign');
    await uploadAll(client, id, ['business_licence', 'org_seal', 'legal_rep_id_front', 'legal_rep_id_back']);
    await client.post(`/api/applications/${id}/attachments/complete`);
    await accept(client, id, 'read');
    const res = await client.request<ErrorBody>('PUT', `/api/applications/${id}/form`, {
      projectId: 'nmg-etax',
      invoice: { wanted: true, type: 'special', title: company.name, taxNumber: company.uscc, email: 'a@example.com', address: '呼和浩特市', phone: '0471-1234567' },
      delivery: postDelivery,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('请填写开户行');
  });
});

describe('ownership and cancellation', () => {
  it("answers 404 for another applicant's application and its files", async () => {
    const owner = await applicant();
    const { id } = await verifiedDraft(owner);
    await accept(owner, id, 'sign');
    const up = await owner.upload<{ id: string }>(`/api/applications/${id}/attachments/org_seal`, await jpegScan(), 'seal.jpg');
    const stranger = await applicant();
    expect((await stranger.get(`/api/applications/${id}`)).status).toBe(404);
    expect((await stranger.get(`/api/applications/${id}/contract`)).status).toBe(404);
    expect((await stranger.get(`/api/applications/${id}/attachments/${up.body.id}/content`)).status).toBe(404);
    expect((await stranger.post(`/api/applications/${id}/cancel`)).status).toBe(404);
    expect((await stranger.upload(`/api/applications/${id}/attachments/org_seal`, await jpegScan(), 'x.jpg')).status).toBe(404);
    const mine = await owner.get(`/api/applications/${id}/attachments/${up.body.id}/content`);
    expect(mine.status).toBe(200);
  });

  it('cancels a draft (已取消) and then refuses changes', async () => {
    const client = await applicant();
    const { id } = await verifiedDraft(client);
    const res = await client.post<{ statusLabel: string }>(`/api/applications/${id}/cancel`);
    expect(res.body.statusLabel).toBe('已取消');
    const after = await client.post<ErrorBody>(`/api/applications/${id}/contract/accept`, { kind: 'sign', version: 1, sha256: '0'.repeat(64), agreed: true });
    expect(after.status).toBe(409);
  });

  it('answers 我的申请 again as it was until something in it changes, whoever changes it, and 304 to a browser that has it', async () => {
    const client = await applicant();
    const { id, number } = await verifiedDraft(client);
    type List = { items: { number: string; statusLabel: string; projectName: string | null }[] };
    const first = await client.get<List>('/api/applications');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const asked = (tag: string) => client.request<List>('GET', '/api/applications', undefined, { 'if-none-match': tag });
    expect((await asked(etag)).status).toBe(304);

    // The holder's own step shows at once …
    expect((await client.post(`/api/applications/${id}/cancel`)).status).toBe(200);
    const cancelled = await asked(etag);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.items.find((a) => a.number === number)?.statusLabel).toBe('已取消');

    // … and so does a write by anyone else in the platform: here a project renamed underneath.
    const db = t.certdesk.database.db;
    const form = await submitOverHttp(client);
    const named = await client.get<List>('/api/applications');
    expect(named.body.items.find((a) => a.number === form.number)?.projectName).toBe('内蒙古自治区电子税务局');
    const [project] = await db.select().from(projects).where(eq(projects.id, 'nmg-etax'));
    try {
      await db.update(projects).set({ name: '内蒙古自治区电子税务局（新）' }).where(eq(projects.id, 'nmg-etax'));
      const renamed = await client.get<List>('/api/applications');
      expect(renamed.body.items.find((a) => a.number === form.number)?.projectName).toBe('内蒙古自治区电子税务局（新）');
    } finally {
      await db.update(projects).set({ name: project!.name }).where(eq(projects.id, 'nmg-etax'));
    }
  });

  it('keeps an audit chain that verifies, and breaks when a row is edited', async () => {
    const db = t.certdesk.database.db;
    const verdict = await verifyAuditChain(db);
    expect(verdict.ok).toBe(true);
    expect(verdict.records).toBeGreaterThan(3);

    // Edit one record inside a transaction that is then rolled back: CI's PostgreSQL keeps the log.
    const edited = await db
      .transaction(async (tx) => {
        const rows = await tx.execute(sql`SELECT id FROM audit_log ORDER BY id DESC LIMIT 1 OFFSET 2`);
        const id = Number((rows as unknown as { rows: { id: string }[] }).rows[0]?.id);
        await tx.execute(sql`UPDATE audit_log SET data = data || '{"to":"已支付"}'::jsonb WHERE id = ${id}`);
        const broken = await verifyAuditChain(tx);
        throw Object.assign(new Error('rollback'), { broken, id });
      })
      .catch((err: { broken: Awaited<ReturnType<typeof verifyAuditChain>>; id: number }) => err);
    expect(edited.broken.ok).toBe(false);
    if (!edited.broken.ok) expect(edited.broken.brokenAt).toBe(edited.id);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
