/** applications HTTP: the applicant's 单位证书及电子印章申请, step by step. Applicants only, own data only. */
import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { applicantTypeLabels, availableEvents, inGroup, mayWork, pathKey, statusLabels, stepsOf, type ApplicationStatus } from '../../domain/application.ts';
import { applicationKindLabels, changeItems, registryLagMessage, type ApplicationKind } from '../../domain/aftersales.ts';
import { normaliseSerial } from '../ca/service.ts';
import { applicationFormSchema, type Delivery, type Invoice } from '../../domain/application-form.ts';
import { attachmentHint, attachmentLabel, isAttachmentKind, type AttachmentKind } from '../../domain/attachments.ts';
import { maskIdNumber } from '../../domain/codes.ts';
import { AppError } from '../../domain/errors.ts';
import { formatYuan } from '../../domain/money.ts';
import { maskPhone } from '../../domain/phone.ts';
import { file, imageTypes, withErrors } from '../../http/contract/common.ts';
import { applicantOf, requireApplicant, requireStaff } from '../../http/session.ts';
import { staffRoles } from '../../domain/principal.ts';
import type { CatalogueService } from '../catalogue/service.ts';
import * as answers from './schemas.ts';
import type { InvoiceSummary } from '../invoices/schemas.ts';
import type { ApplicationsService } from './service.ts';
import type { AnswerCache, Computed } from '../../http/answer-cache.ts';

const text = (label: string, max: number) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(1, `请填写${label}`)
    .max(max, `${label}不能超过${max}个字符`);

const idParams = z.object({ id: z.string() });
const contractQuery = z.object({ download: z.enum(['1']).optional() });
const contractPdf = withErrors({ 200: file('已签署的电子合同', 'application/pdf') });
/** Uploads are judged by content (and their real size reported) before the 1 MB rule refuses them. */
const UPLOAD_LIMIT = 8 * 1024 * 1024;

/** The stored bytes as they are: inline (the browser's PDF viewer), or as a file to save. */
function sendContract(reply: FastifyReply, doc: { row: { pdfSha256: string }; data: Buffer; number: string }, download: boolean) {
  const number = doc.number;
  const name = `电子合同-${number}.pdf`;
  return reply
    .type('application/pdf')
    .header('content-disposition', `${download ? 'attachment' : 'inline'}; filename="contract-${number}.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`)
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff')
    .header('etag', `"${doc.row.pdfSha256}"`)
    .send(doc.data);
}

/** What the list shows beside each application that other modules know: payments and the CA's seal. */
export interface ListDetails {
  /** 资料审核通过: the account, exact amount and remittance code to transfer with. */
  bankInstructionsOf(rows: { id: string; priceFen: number }[]): Promise<Map<string, BankInstructions>>;
  /** Applications (paid, in production) whose seal picture still waits for 确认印章. */
  sealAwaitedAmong(rows: { id: string; status: ApplicationStatus; kind: ApplicationKind }[]): Promise<Set<string>>;
  /**
   * 即将到期 / 已过期 of the applications' signing certificates not renewed yet (the 证书与印章 words),
   * and when the clock alone next changes them.
   */
  expiryAmong(rows: { id: string }[]): Promise<{
    byApplication: Map<string, { state: 'expiring' | 'expired'; label: string; daysLeft: number; notAfter: string }>;
    changesAt: Date | undefined;
  }>;
  /** 发票: how each paid application's invoice stands (下载发票 once it is issued). */
  invoicesAmong(ids: string[]): Promise<Map<string, InvoiceSummary>>;
}
export interface BankInstructions {
  accountName: string;
  bankName: string;
  accountNumber: string;
  remittanceCode: string;
  amount: string;
}

export const applicationRoutes: FastifyPluginAsyncZod<{
  applications: ApplicationsService;
  catalogue: CatalogueService;
  listDetails: ListDetails;
  /** 我的申请 is answered again from here while nothing it shows changed. */
  answerCache: AnswerCache;
}> = async (app, { applications, catalogue, listDetails, answerCache }) => {
  await app.register(multipart, { limits: { fileSize: UPLOAD_LIMIT, files: 1, fields: 5 } });
  app.addHook('preHandler', requireApplicant);

  const applicant = applicantOf;
  const evidence = (request: { ip: string; headers: Record<string, unknown> }) => ({
    ip: request.ip,
    userAgent: String(request.headers['user-agent'] ?? ''),
  });

  app.get('/api/projects', { schema: { tags: ['applications'], summary: '证书用途（所属项目）', response: withErrors({ 200: answers.projectOptions }) } }, async () => ({
    items: (await catalogue.listProjects()).map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      extraAttachments: {
        enterprise: p.extraAttachments.enterprise.filter(isAttachmentKind).map((k) => ({ kind: k, label: attachmentLabel(k, 'enterprise') })),
        institution: p.extraAttachments.institution.filter(isAttachmentKind).map((k) => ({ kind: k, label: attachmentLabel(k, 'institution') })),
      },
    })),
  }));

  app.get(
    '/api/terms',
    {
      schema: {
        tags: ['applications'],
        summary: '服务年限及费用（新办：首年按首次办理价，其后每年按续费价；续期：每年按续费价）',
        querystring: z.object({ kind: z.enum(['new', 'renewal'], { error: '申请类型不正确' }).default('new') }),
        response: withErrors({ 200: answers.terms }),
      },
    },
    async (request) => ({
      items: (await applications.terms(request.query.kind)).map((t) => ({ years: t.years, amount: formatYuan(t.priceFen) })),
    }),
  );

  app.post(
    '/api/renewals',
    {
      schema: {
        tags: ['applications'],
        summary: '续期：为我的证书创建续期申请（到期前 90 天至到期后 365 天内）',
        body: z.object({ serial: z.string({ error: '请选择要续期的证书' }).trim().min(1, '请选择要续期的证书').max(80, '证书序列号不正确') }),
        response: withErrors({ 200: answers.renewalStarted }),
      },
    },
    async (request) => {
      const row = await applications.startAftersales(applicant(request), 'renewal', normaliseSerial(request.body.serial));
      return { id: row.id, number: row.number, message: '已创建续期申请，请确认单位信息' };
    },
  );

  app.post(
    '/api/changes',
    {
      schema: {
        tags: ['applications'],
        summary: '变更：单位信息变更后为我的证书创建变更申请（新证书有效期至原证书到期日，签发后原证书吊销）',
        body: z.object({
          serial: z.string({ error: '请选择要变更的证书' }).trim().min(1, '请选择要变更的证书').max(80, '证书序列号不正确'),
          items: z.array(z.enum(changeItems, { error: '变更内容不正确' }), { error: '请选择变更内容' }).min(1, '请选择变更内容').max(changeItems.length),
        }),
        response: withErrors({ 200: answers.renewalStarted }),
      },
    },
    async (request) => {
      const row = await applications.startAftersales(applicant(request), 'change', normaliseSerial(request.body.serial), [...new Set(request.body.items)]);
      return { id: row.id, number: row.number, message: '已创建变更申请，请填写变更后的单位信息' };
    },
  );

  app.post(
    '/api/reissues',
    {
      schema: {
        tags: ['applications'],
        summary: '补办：证书挂失后，为其申请新的密钥与证书（有效期至原证书到期日）',
        body: z.object({ serial: z.string({ error: '请选择要补办的证书' }).trim().min(1, '请选择要补办的证书').max(80, '证书序列号不正确') }),
        response: withErrors({ 200: answers.renewalStarted }),
      },
    },
    async (request) => {
      const row = await applications.startAftersales(applicant(request), 'reissue', normaliseSerial(request.body.serial));
      return { id: row.id, number: row.number, message: '已创建补办申请，请确认单位信息' };
    },
  );

  /** 我的申请 as the list shows it, and when the clock alone would change it (即将到期 / 已过期). */
  async function listOf(me: ReturnType<typeof applicant>): Promise<Computed<z.infer<typeof answers.applicationList>>> {
    const rows = await applications.list(me);
    const [bank, sealAwaited, expiry, invoices] = await Promise.all([
      listDetails.bankInstructionsOf(rows.filter((a) => a.status === 'approved')),
      listDetails.sealAwaitedAmong(rows),
      listDetails.expiryAmong(rows.filter((a) => inGroup(a.status, 'production'))),
      listDetails.invoicesAmong(rows.filter((a) => a.status !== 'draft').map((a) => a.id)),
    ]);
    const answer = {
      items: rows.map((a) => ({
        id: a.id,
        number: a.number,
        orgName: a.orgName,
        projectName: a.projectName,
        amount: formatYuan(a.priceFen),
        status: a.status,
        statusLabel: statusLabels[a.status],
        kind: a.kind,
        kindLabel: applicationKindLabels[a.kind],
        renewsSerial: a.concernsSerial,
        step: a.step,
        /** What the applicant may do now: the list's buttons. */
        events: availableEvents({ status: a.status, applicantId: me.id, kind: a.kind }, me),
        /** 即将到期 / 已过期 of the unit certificate this application made (and not renewed yet). */
        expiry: expiry.byApplication.get(a.id) ?? null,
        /** 发票: asked for at 已支付; 下载发票 once issued. */
        invoice: invoices.get(a.id) ?? null,
        /** Paid for: certificates and the seal are made, or being made (证书与印章). */
        production: inGroup(a.status, 'production'),
        /** Left the CA: the 邮寄信息 cell shows how. */
        delivered: inGroup(a.status, 'delivered'),
        bankTransfer: bank.get(a.id) ?? null,
        sealAwaited: sealAwaited.has(a.id),
        createdAt: a.createdAt.toISOString(),
      })),
    };
    return { answer, changesAt: expiry.changesAt };
  }

  app.get('/api/applications', { schema: { tags: ['applications'], summary: '单位证书及电子印章申请列表', response: withErrors({ 200: answers.applicationList }) } }, async (request, reply) => {
    const me = applicant(request);
    return answerCache.send(request, reply, `applications:${me.id}`, () => listOf(me));
  });

  app.get(
    '/api/applications/:id/contract.pdf',
    { schema: { tags: ['applications'], summary: '已签署的电子合同（PDF）；download=1 时作为文件下载', params: idParams, querystring: contractQuery, response: contractPdf } },
    async (request, reply) => sendContract(reply, await applications.contractPdf(applicant(request), request.params.id), request.query.download === '1'),
  );

  app.get('/api/applications/:id/timeline', { schema: { tags: ['applications'], summary: '办理进度', params: idParams, response: withErrors({ 200: answers.applicantTimeline }) } }, async (request) => ({
    entries: await applications.timeline(applicant(request), request.params.id),
  }));

  app.get('/api/applications/:id', { schema: { tags: ['applications'], summary: '申请详情', params: idParams, response: withErrors({ 200: answers.applicationView }) } }, async (request) => {
    const v = await applications.view(applicant(request), request.params.id);
    const returnedItems = await applications.returnedItems(applicant(request), request.params.id);
    const a = v.app;
    const kinds = (list: AttachmentKind[]) =>
      list.map((kind) => {
        const current = v.attachments.find((x) => x.kind === kind);
        return {
          kind,
          label: attachmentLabel(kind, a.applicantType),
          hint: attachmentHint(kind) ?? null,
          uploaded: current
            ? { id: current.id, name: current.originalName, sizeBytes: current.sizeBytes, width: current.width, height: current.height }
            : null,
        };
      });
    return {
      id: a.id,
      number: a.number,
      status: a.status,
      statusLabel: statusLabels[a.status],
      step: a.step,
      kind: a.kind,
      kindLabel: applicationKindLabels[a.kind],
      /** 续期: the certificate renewed, the data verified last time, and what changed. */
      renewal: a.kind !== 'new' && a.renewal ? { renewsSerial: a.concernsSerial, previous: { ...a.renewal.previous, operatorIdNumber: maskIdNumber(a.renewal.previous.operatorIdNumber) }, changed: a.renewal.changed } : null,
      events: availableEvents(a, applicant(request)),
      /** A 草稿, or a 待修改's returned items: the wizard (or the returned mode) opens. */
      editable: mayWork(a.status, 'edit'),
      /** The steps this applicant type walks, in order (the wizard draws these). */
      steps: [...stepsOf[pathKey(a)]],
      applicantType: a.applicantType,
      applicantTypeLabel: applicantTypeLabels[a.applicantType],
      operator: { name: a.operatorName, idNumberMasked: maskIdNumber(a.operatorIdNumber), phoneMasked: maskPhone(a.operatorPhone) },
      organisation: a.orgName
        ? { name: a.orgName, uscc: a.uscc, legalRepresentative: a.legalRepresentative, registryOutcome: a.registryOutcome }
        : null,
      manualReview: a.manualReview,
      project: v.project ? { id: v.project.id, name: v.project.name } : null,
      invoice: (a.invoice) ?? null,
      delivery: (a.delivery) ?? null,
      amount: formatYuan(a.priceFen),
      termYears: a.termYears,
      baseAttachments: kinds(v.baseKinds),
      projectAttachments: kinds(v.projectKinds),
      returnedItems,
      contractAcceptances: v.acceptances.map((c) => ({ kind: c.kind, version: c.templateVersion, at: c.acceptedAt.toISOString() })),
      createdAt: a.createdAt.toISOString(),
      submittedAt: a.submittedAt?.toISOString() ?? null,
    };
  });

  app.post(
    '/api/applications/identity/operator',
    {
      schema: {
        tags: ['applications'],
        summary: '实名认证（经办人）',
        body: z.object({
          applicationId: z.string().optional(),
          applicantType: z.enum(['enterprise', 'institution'], { error: '请选择申请类型' }),
          operatorName: text('经办人姓名', 30),
          operatorIdNumber: z.string({ error: '请填写身份证号' }).trim().toUpperCase().min(1, '请填写身份证号'),
          operatorPhone: z.string({ error: '请填写手机号' }).trim().regex(/^1[3-9]\d{9}$/, '请输入正确的手机号码'),
        }),
        response: withErrors({ 200: answers.operatorVerified }),
      },
    },
    async (request) => {
      const row = await applications.verifyOperator(applicant(request), request.body);
      return { id: row.id, number: row.number, message: '经办人实名认证成功' };
    },
  );

  app.post(
    '/api/applications/:id/identity/organisation',
    {
      schema: {
        tags: ['applications'],
        summary: '企业认证',
        params: idParams,
        body: z.object({
          orgName: text('单位名称', 100),
          uscc: z.string({ error: '请填写统一社会信用代码' }).trim().toUpperCase().min(1, '请填写统一社会信用代码'),
          legalRepresentative: text('法定代表人', 30),
        }),
        response: withErrors({ 200: answers.organisationOutcome }),
      },
    },
    async (request) => {
      const { app: row, outcome } = await applications.verifyOrganisation(applicant(request), request.params.id, request.body);
      return {
        outcome,
        applicantType: row.applicantType,
        message:
          outcome === 'match'
            ? '实名认证成功'
            : outcome === 'lagging'
              ? registryLagMessage
              : '企业不存在：将按事业单位办理，请在上传附件时提交事业单位法人证书，并下载、盖章后上传申请表和授权委托书，由审核员人工核验',
      };
    },
  );

  app.get('/api/applications/:id/contract', { schema: { tags: ['applications'], summary: '电子合同', params: idParams, response: withErrors({ 200: answers.contractText }) } }, async (request) =>
    applications.contract(applicant(request), request.params.id),
  );

  app.post(
    '/api/applications/:id/contract/accept',
    {
      schema: {
        tags: ['applications'],
        summary: '本人已同意签署合同 / 本人已阅读合同 → 确认',
        params: idParams,
        body: z.object({
          kind: z.enum(['sign', 'read']),
          version: z.number().int(),
          sha256: z.string().regex(/^[0-9a-f]{64}$/),
          agreed: z.literal(true, { error: '请先勾选同意' }),
        }),
        response: withErrors({ 200: answers.stepReached }),
      },
    },
    async (request) => {
      const { kind, version, sha256 } = request.body;
      const row = await applications.acceptContract(applicant(request), request.params.id, kind, { version, sha256 }, evidence(request));
      return { step: row.step };
    },
  );

  app.post(
    '/api/applications/:id/attachments/:kind',
    { schema: { tags: ['applications'], summary: '上传附件（multipart，字段 file）', params: z.object({ id: z.string(), kind: z.string() }), response: withErrors({ 200: answers.attachmentUploaded }) }, bodyLimit: UPLOAD_LIMIT + 64 * 1024 },
    async (request) => {
      const { id, kind } = request.params;
      if (!isAttachmentKind(kind)) throw new AppError('ATTACHMENT_UNKNOWN', '附件类型不正确', 400);
      if (!request.isMultipart()) throw new AppError('UPLOAD_FORMAT', '请以文件形式上传附件', 400);
      const file = await request.file();
      if (!file) throw new AppError('FILE_EMPTY', '请选择要上传的文件', 400);
      const data = await file.toBuffer().catch((err: unknown) => {
        if (err instanceof Error && 'code' in err && err.code === 'FST_REQ_FILE_TOO_LARGE') {
          throw new AppError('FILE_TOO_LARGE', '文件过大（超过8MB），附件大小须在1MB以内，请压缩后重新上传', 413);
        }
        throw err;
      });
      const row = await applications.uploadAttachment(applicant(request), id, kind, data, file.filename || '未命名');
      return { id: row.id, kind: row.kind, sizeBytes: row.sizeBytes, width: row.width, height: row.height, message: '上传成功' };
    },
  );

  app.get(
    '/api/applications/:id/attachments/:attachmentId/content',
    { schema: { tags: ['applications'], summary: '附件图像', params: z.object({ id: z.string(), attachmentId: z.string() }), response: withErrors({ 200: file('附件图像', ...imageTypes) }) } },
    async (request, reply) => {
      const c = await applications.attachmentContent(applicant(request), request.params.id, request.params.attachmentId);
      return reply.type(c.contentType).header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff').send(c.data);
    },
  );

  app.post(
    '/api/applications/:id/attachments/complete',
    { schema: { tags: ['applications'], summary: '上传附件 → 提交', params: idParams, response: withErrors({ 200: answers.stepReached }) } },
    async (request) => ({ step: (await applications.completeAttachments(applicant(request), request.params.id)).step }),
  );

  app.put(
    '/api/applications/:id/form',
    {
      schema: {
        tags: ['applications'],
        summary: '证书用途 / 是否开具发票 / 证书领取方式 → 下一步（续期可不选领取方式：delivery 为 null，在线办理）',
        params: idParams,
        body: applicationFormSchema.extend({ delivery: applicationFormSchema.shape.delivery.nullable() }),
        response: withErrors({ 200: answers.stepReached }),
      },
    },
    async (request) => ({ step: (await applications.saveForm(applicant(request), request.params.id, request.body)).step }),
  );

  app.get(
    '/api/applications/:id/templates/:which',
    {
      schema: {
        tags: ['applications'],
        summary: '下载申请表 / 授权委托书（已填入申请信息）',
        params: z.object({ id: z.string(), which: z.enum(['application-form.pdf', 'authorisation-letter.pdf']) }),
        response: withErrors({ 200: file('已填入申请信息的申请表或授权委托书', 'application/pdf') }),
      },
    },
    async (request, reply) => {
      const data = await applications.formData(applicant(request), request.params.id);
      const isForm = request.params.which === 'application-form.pdf';
      // The PDF library loads with the first form asked for, not at every start.
      const { renderApplicationForm, renderAuthorisationLetter } = await import('../../pdf/forms.ts');
      const pdf = isForm ? await renderApplicationForm(data) : await renderAuthorisationLetter(data);
      const name = `${isForm ? '申请表' : '授权委托书'}-${data.applicationNumber}.pdf`;
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`)
        .send(Buffer.from(pdf));
    },
  );

  app.post('/api/applications/:id/submit', { schema: { tags: ['applications'], summary: '提交', params: idParams, response: withErrors({ 200: answers.statusChange }) } }, async (request) => {
    const row = await applications.submit(applicant(request), request.params.id);
    return { status: row.status, statusLabel: statusLabels[row.status] };
  });

  app.post('/api/applications/:id/resubmit', { schema: { tags: ['applications'], summary: '再次提交（待修改 → 待审核）', params: idParams, response: withErrors({ 200: answers.statusChange }) } }, async (request) => {
    const row = await applications.resubmit(applicant(request), request.params.id);
    return { status: row.status, statusLabel: statusLabels[row.status] };
  });

  app.post('/api/applications/:id/cancel', { schema: { tags: ['applications'], summary: '取消', params: idParams, response: withErrors({ 200: answers.statusChange }) } }, async (request) => {
    const row = await applications.cancel(applicant(request), request.params.id);
    return { status: row.status, statusLabel: statusLabels[row.status] };
  });
};

/** The timeline for staff (any role): who did what, when. */
export const consoleApplicationRoutes: FastifyPluginAsyncZod<{ applications: ApplicationsService }> = async (app, { applications }) => {
  app.addHook('preHandler', requireStaff(...staffRoles));
  app.get(
    '/api/console/applications/:id/timeline',
    { schema: { tags: ['applications'], summary: '申请的处理记录（员工）', params: idParams, response: withErrors({ 200: answers.staffTimeline }) } },
    async (request) => applications.staffTimeline(request.params.id),
  );
  app.get(
    '/api/console/applications/:id/contract.pdf',
    { schema: { tags: ['applications'], summary: '已签署的电子合同（员工）', params: idParams, querystring: contractQuery, response: contractPdf } },
    async (request, reply) => sendContract(reply, await applications.contractPdfForStaff(request.params.id), request.query.download === '1'),
  );
};
