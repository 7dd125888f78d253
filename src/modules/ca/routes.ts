/**
 * The CA's HTTP for people: the 制证员's issuance, seal and revocation endpoints (called by the
 * production queue's screens), and the applicant's seal-picture approval, artefacts and downloads.
 * Every object is reached through its application, and an applicant only through their own.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.ts';
import { file, withErrors } from '../../http/contract/common.ts';
import { applicantOf, requireApplicant, requireStaff, staffOf } from '../../http/session.ts';
import { applicantRevocationReasons } from '../../domain/revocation-request.ts';
import { revocationRequestView, type RevocationRequestService } from './revocation-requests.ts';
import { revocableReasons, normaliseSerial, type CaService } from './service.ts';
import * as answers from './schemas.ts';
import type { PictureSubject, SealService } from './seals.ts';
import { certificateView, sealView } from './views.ts';
import type { AnswerCache, Computed } from '../../http/answer-cache.ts';
import type { OnlineRenewal } from './online-renewal.ts';
import { applicationKindLabels, type ApplicationKind } from '../../domain/aftersales.ts';
import type { LossReports } from './loss-reports.ts';
import {
  daysLeft,
  daysLeftChangesAt,
  defaultRenewalPolicy,
  expiryLabels,
  expiryState,
  renewalRefusal,
  renewalRefusalMessage,
  type RenewalPolicy,
} from '../../domain/renewal.ts';
import {
  aftersalesRefusalMessage,
  changeRefusal,
  lossReportRefusal,
  reissueRefusal,
  successionLabels,
  type AftersalesRefusal,
} from '../../domain/aftersales.ts';

const idParams = z.object({ id: z.uuid({ message: '申请不存在' }) });

const issueBody = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('csr'),
    csrPem: z.string().trim().min(1, '请粘贴或上传 PKCS#10 证书请求').max(20_000, '证书请求过长'),
    usbKeySerial: z.string().trim().min(1, '请填写 USB Key 序列号').max(64, 'USB Key 序列号过长'),
  }),
  z.object({ mode: z.literal('software'), family: z.enum(['sm2', 'p256']) }),
]);

interface Services {
  ca: CaService;
  seals: SealService;
  revocations: RevocationRequestService;
  clock: () => Date;
  /** 续期: the applicant's online issuance and the window rules (applicant routes only). */
  onlineRenewal?: OnlineRenewal;
  renewalPolicy?: RenewalPolicy;
  /** 挂失 (applicant routes only). */
  lossReports?: LossReports;
  /** Renewals under way, by the serial they renew. */
  renewalsUnderWay?: (serials: string[]) => Promise<Map<string, { id: string; number: string; kind: ApplicationKind }>>;
}

/** 证书与印章 of an application, and when the clock alone would change it (days left, 续期 on offer). */
async function artefacts(services: Services, app: PictureSubject, previewUrl: string, madeUrl: string): Promise<Computed<answers.Artefacts>> {
  const { ca, seals, clock } = services;
  const now = clock();
  const [certs, seal, picture, requests] = await Promise.all([
    ca.certificatesOf(app.id),
    seals.latestSummary(app.id),
    seals.pictureState(app),
    services.revocations.ofApplication(app.id),
  ]);
  const serials = certs.map((c) => c.serialHex);
  const [successors, underWay] = await Promise.all([ca.successorsAmong(serials), services.renewalsUnderWay?.(serials) ?? new Map<string, { id: string; kind: ApplicationKind }>()]);
  // Why each successor succeeds (few: one per certificate at most).
  const successorRows = new Map(
    (await Promise.all([...successors.values()].map((serial) => ca.certificate(serial)))).flatMap((r) => (r ? [[r.serialHex, r] as const] : [])),
  );
  const policy = services.renewalPolicy ?? defaultRenewalPolicy;
  /** 有效期至, days left, 即将到期 / 已过期, and whether 续期 is offered (or why not). */
  const lifeOf = (c: (typeof certs)[number]) => {
    const successor = successors.get(c.serialHex) ?? null;
    const renewing = underWay.get(c.serialHex);
    const refusal = renewalRefusal(
      { status: c.status, notAfter: c.notAfter, profile: c.profile, renewed: !!successor, renewalInProgress: !!renewing },
      now,
      policy,
    );
    const state = expiryState(c.notAfter, now, policy);
    const concerned = { ...c, succeeded: !!successor, inProgress: !!renewing };
    const offer = (what: 'change' | 'loss' | 'reissue', refused: AftersalesRefusal | undefined) => ({
      offered: refused === undefined,
      message: refused ? aftersalesRefusalMessage(what, refused) : null,
    });
    const successorRow = successor ? successorRows.get(successor) : undefined;
    return {
      daysLeft: daysLeft(c.notAfter, now),
      expiry: c.status === 'revoked' || successor ? null : state === 'valid' ? null : { state, label: expiryLabels[state] },
      predecessorSerialHex: c.predecessorSerialHex,
      successorSerialHex: successor,
      renewal: {
        /** 续期 on offer now. */
        offered: refusal === undefined,
        /** Too late to renew: the button leads to a new application (重新申请). */
        newApplication: refusal === 'new_application',
        renewingApplicationId: renewing?.id ?? null,
        /** Which after-sales application is under way on it: 续期, 变更 or 补办 (its button says 继续…). */
        renewingKindLabel: renewing ? applicationKindLabels[renewing.kind] : null,
        message: refusal ? renewalRefusalMessage(refusal, policy) : null,
      },
      successionLabel: successor ? successionLabels[successorRow?.succession ?? 'renewed'] : null,
      predecessorSuccessionLabel: c.predecessorSerialHex ? successionLabels[c.succession ?? 'renewed'] : null,
      aftersales: {
        change: offer('change', changeRefusal(concerned, now)),
        lossReport: offer('loss', lossReportRefusal(concerned, now)),
        reissue: offer('reissue', reissueRefusal(concerned, now)),
        applicationId: renewing?.id ?? null,
      },
    };
  };
  const approval = picture.approval;
  // The latest 申请吊销 of each certificate (requests come newest first).
  const latestRequest = (serial: string) => requests.find((r) => r.certificateSerial === serial);
  const answer = {
    certificates: certs.map((c) => {
      const request = latestRequest(c.serialHex);
      return { ...certificateView(c, now), ...lifeOf(c), revocationRequest: request ? revocationRequestView(request) : null };
    }),
    seal: seal ? sealView(seal, madeUrl) : null,
    /** The picture to approve (确认印章): shown from 资料审核通过 on, before the seal is made. */
    sealPicture: picture.shown ? { url: previewUrl, approvable: picture.approvable, awaited: picture.awaited } : null,
    sealApproval: approval ? { approvedAt: approval.approvedAt.toISOString() } : null,
  };
  const changesAt = certs.map((c) => daysLeftChangesAt(c.notAfter, now)).sort((a, b) => a.getTime() - b.getTime())[0];
  return { answer, changesAt };
}

export const productionCaRoutes: FastifyPluginAsyncZod<Services> = async (app, services) => {
  const { ca, seals, clock } = services;
  const producer = requireStaff('producer');

  app.post(
    '/api/production/applications/:id/certificates',
    { preHandler: producer, schema: { tags: ['production'], summary: '签发证书（USB Key 的 CSR，或软证书 PKCS#12）；SM2 为双证书：签名证书与加密证书，USB Key 另得加密密钥信封', params: idParams, body: issueBody, response: withErrors({ 200: answers.issued }) } },
    async (request) => {
      const result = await ca.issueForApplication(staffOf(request), request.params.id, request.body);
      const now = clock();
      return {
        certificates: result.certificates.map((c) => certificateView(c, now)),
        ...(result.p12 ? { p12: result.p12 } : {}),
        ...(result.envelope ? { envelope: result.envelope } : {}),
      };
    },
  );

  app.get(
    '/api/production/applications/:id/artefacts',
    { preHandler: producer, schema: { tags: ['production'], summary: '申请的证书、电子印章与印章图样确认', params: idParams, response: withErrors({ 200: answers.artefacts }) } },
    async (request) => {
      const application = await seals.assertExists(request.params.id);
      const id = request.params.id;
      return (await artefacts(services, application, `/api/production/applications/${id}/seal/preview.png`, `/api/production/applications/${id}/seal.png`)).answer;
    },
  );

  app.post(
    '/api/production/applications/:id/seal',
    { preHandler: producer, schema: { tags: ['production'], summary: '制作电子印章（GB/T 38540）', params: idParams, response: withErrors({ 200: answers.sealMade }) } },
    async (request) => {
      const row = await seals.make(staffOf(request), request.params.id);
      return { seal: sealView(row, `/api/production/applications/${request.params.id}/seal.png`) };
    },
  );

  app.get(
    '/api/production/applications/:id/seal/preview.png',
    { preHandler: producer, schema: { tags: ['production'], summary: '申请人待确认的电子印章图样', params: idParams, response: withErrors({ 200: file('电子印章图样', 'image/png') }) } },
    async (request, reply) => {
      const png = await seals.preview(request.params.id);
      return reply.type('image/png').header('cache-control', 'private, no-store').send(Buffer.from(png));
    },
  );

  app.get(
    '/api/production/applications/:id/seal.png',
    { preHandler: producer, schema: { tags: ['production'], summary: '已制作印章的图像', params: idParams, response: withErrors({ 200: file('已制作印章的图像', 'image/png') }) } },
    async (request, reply) => {
      const png = await seals.madePicture(request.params.id);
      return reply.type('image/png').header('cache-control', 'private, no-store').send(Buffer.from(png));
    },
  );

  app.post(
    '/api/production/certificates/:serial/revoke',
    {
      preHandler: requireStaff('producer', 'admin'),
      schema: {
        tags: ['production'],
        summary: '吊销证书',
        params: z.object({ serial: z.string().trim().min(1).max(80) }),
        body: z.object({ reason: z.enum(revocableReasons, { message: '请选择吊销原因' }) }),
        response: withErrors({ 200: answers.revoked }),
      },
    },
    async (request) => {
      const { certificate, pair } = await ca.revoke(staffOf(request), request.params.serial, request.body.reason);
      const now = clock();
      // A dual pair is revoked together: `pair` is the other certificate, revoked with it.
      return { certificate: certificateView(certificate, now), ...(pair ? { pair: certificateView(pair, now) } : {}) };
    },
  );

  const decider = requireStaff('producer', 'admin');
  const requestParams = z.object({ requestId: z.uuid({ message: '吊销申请不存在' }) });

  app.get(
    '/api/revocation-requests',
    {
      preHandler: decider,
      schema: {
        tags: ['production'],
        summary: '吊销申请（申请人提交，制证员或管理员审核）',
        querystring: z.object({ status: z.enum(['pending', 'approved', 'rejected'], { message: '未知的吊销申请状态' }).default('pending') }),
        response: withErrors({ 200: answers.staffRevocationRequests }),
      },
    },
    async (request) => ({ items: await services.revocations.list(request.query.status) }),
  );

  app.post(
    '/api/revocation-requests/:requestId/approve',
    { preHandler: decider, schema: { tags: ['production'], summary: '同意吊销', params: requestParams, response: withErrors({ 200: answers.revocationRequestView }) } },
    async (request) => revocationRequestView(await services.revocations.approve(staffOf(request), request.params.requestId)),
  );

  app.post(
    '/api/revocation-requests/:requestId/reject',
    {
      preHandler: decider,
      schema: {
        tags: ['production'],
        summary: '不予吊销',
        params: requestParams,
        body: z.object({ note: z.string({ message: '请填写不予吊销的原因，申请人会看到' }).max(200, '原因不能超过 200 个字') }),
        response: withErrors({ 200: answers.revocationRequestView }),
      },
    },
    async (request) => revocationRequestView(await services.revocations.reject(staffOf(request), request.params.requestId, request.body.note)),
  );
};

/** `answerCache`: 证书与印章 is answered again from there while nothing it shows changed. */
export const applicantCaRoutes: FastifyPluginAsyncZod<Services & { answerCache: AnswerCache }> = async (app, services) => {
  const { ca, seals } = services;
  app.addHook('preHandler', requireApplicant);
  const pictureUrl = (id: string) => `/api/applications/${id}/seal/preview.png`;

  app.get(
    '/api/applications/:id/seal/preview.png',
    { schema: { tags: ['applications'], summary: '电子印章图样（资料审核通过后）', params: idParams, response: withErrors({ 200: file('电子印章图样', 'image/png') }) } },
    async (request, reply) => {
      const png = await seals.preview(request.params.id, applicantOf(request).id);
      return reply.type('image/png').header('cache-control', 'private, no-store').send(Buffer.from(png));
    },
  );

  app.post(
    '/api/applications/:id/seal/approve',
    { schema: { tags: ['applications'], summary: '确认电子印章图样', params: idParams, response: withErrors({ 200: answers.sealApproved }) } },
    async (request) => {
      const at = await seals.approve(applicantOf(request), request.params.id);
      return { approvedAt: at.toISOString() };
    },
  );

  app.get(
    '/api/applications/:id/artefacts',
    { schema: { tags: ['applications'], summary: '我的证书与电子印章', params: idParams, response: withErrors({ 200: answers.artefacts }) } },
    async (request, reply) => {
      const { id } = request.params;
      const me = applicantOf(request);
      // Kept per account and application: an entry exists only for an application the account owned when it was read.
      return services.answerCache.send(request, reply, `artefacts:${me.id}:${id}`, async () =>
        artefacts(services, await seals.assertOwned(me.id, id), pictureUrl(id), pictureUrl(id)),
      );
    },
  );

  app.post(
    '/api/applications/:id/certificates/:serial/revocation-requests',
    {
      schema: {
        tags: ['applications'],
        summary: '申请吊销证书（由制证员或管理员审核）',
        params: z.object({ id: idParams.shape.id, serial: z.string().trim().min(1).max(80) }),
        body: z.object({
          reason: z.enum(applicantRevocationReasons, { message: '请选择吊销原因' }),
          note: z.string().trim().max(200, '说明不能超过 200 个字').default(''),
        }),
        response: withErrors({ 200: answers.revocationRequestView }),
      },
    },
    async (request) => {
      const { id, serial } = request.params;
      const row = await services.revocations.create(applicantOf(request), id, serial, request.body.reason, request.body.note);
      return revocationRequestView(row);
    },
  );

  const serialParams = z.object({ id: idParams.shape.id, serial: z.string().trim().min(1).max(80) });
  const lossReports = () => {
    if (!services.lossReports) throw new AppError('NOT_FOUND', '证书不存在', 404);
    return services.lossReports;
  };

  app.post(
    '/api/applications/:id/certificates/:serial/loss-report/code',
    {
      schema: {
        tags: ['applications'],
        summary: '挂失：向登录手机号发送验证码',
        params: serialParams,
        response: withErrors({ 200: answers.lossReportCode }),
      },
    },
    async (request) => {
      const { id, serial } = request.params;
      return lossReports().requestCode(applicantOf(request), id, serial, { ip: request.ip, userAgent: request.headers['user-agent'] ?? '' });
    },
  );

  app.post(
    '/api/applications/:id/certificates/:serial/loss-report',
    {
      schema: {
        tags: ['applications'],
        summary: '挂失：以短信验证码确认，证书（及 SM2 加密证书）立即吊销（keyCompromise），CRL 与 OCSP 同时更新',
        params: serialParams,
        body: z.object({
          code: z.string({ error: '请输入6位数字验证码' }).trim(),
          note: z.string().trim().max(200, '说明不能超过 200 个字').default(''),
        }),
        response: withErrors({ 200: answers.lossReported }),
      },
    },
    async (request) => {
      const { id, serial } = request.params;
      const { request: row, revoked } = await lossReports().report(applicantOf(request), id, serial, request.body.code, request.body.note);
      const now = services.clock();
      return { request: revocationRequestView(row), revoked: revoked.map((c) => certificateView(c, now)), message: '挂失成功，证书已吊销。如需继续使用，请办理补办' };
    },
  );

  app.get(
    '/api/applications/:id/certificates/:file',
    { schema: { tags: ['applications'], summary: '下载证书（DER，.cer）', params: z.object({ id: idParams.shape.id, file: z.string().max(90) }), response: withErrors({ 200: file('证书（DER）', 'application/pkix-cert') }) } },
    async (request, reply) => {
      const { id, file } = request.params;
      await seals.assertOwned(applicantOf(request).id, id);
      const serial = /^([0-9a-fA-F]{1,80})\.cer$/.exec(file)?.[1];
      const row = serial ? await ca.certificate(normaliseSerial(serial)) : undefined;
      if (!row || row.applicationId !== id) throw new AppError('NOT_FOUND', '证书不存在', 404);
      return reply
        .type('application/pkix-cert')
        .header('content-disposition', `attachment; filename="${row.serialHex}.cer"`)
        .send(Buffer.from(row.der));
    },
  );

  app.post(
    '/api/applications/:id/renewal/certificates',
    {
      schema: {
        tags: ['applications'],
        summary: '续期：上传 USB Key 生成的证书请求（PKCS#10），或申请软证书；支付后即时签发，并重新制作电子印章',
        params: idParams,
        body: z.discriminatedUnion('mode', [
          z.object({ mode: z.literal('csr'), csrPem: z.string({ error: '请粘贴或上传 PKCS#10 证书请求' }).trim().min(1, '请粘贴或上传 PKCS#10 证书请求').max(20_000, '证书请求过长') }),
          z.object({ mode: z.literal('software'), family: z.enum(['sm2', 'p256'], { error: '请选择证书算法' }) }),
        ], { error: '请选择上传证书请求或软证书' }),
        response: withErrors({ 200: answers.renewalIssued }),
      },
    },
    async (request) => {
      if (!services.onlineRenewal) throw new AppError('NOT_FOUND', '申请不存在', 404);
      const result = await services.onlineRenewal.issue(applicantOf(request), request.params.id, request.body);
      const now = services.clock();
      return {
        certificates: result.certificates.map((c) => certificateView(c, now)),
        ...(result.p12 ? { p12: result.p12 } : {}),
        ...(result.envelope ? { envelope: result.envelope } : {}),
        seal: result.seal ? sealView(result.seal, pictureUrl(request.params.id)) : null,
        message: '续期证书已签发',
      };
    },
  );

  app.get(
    '/api/applications/:id/seal.esl',
    { schema: { tags: ['applications'], summary: '下载电子印章（GB/T 38540 SESeal，DER）', params: idParams, response: withErrors({ 200: file('电子印章（DER）', 'application/octet-stream') }) } },
    async (request, reply) => {
      await seals.assertOwned(applicantOf(request).id, request.params.id);
      const seal = await seals.latest(request.params.id);
      if (!seal) throw new AppError('SEAL_NOT_FOUND', '电子印章尚未制作', 404);
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename="${seal.esId}.esl"`)
        .send(Buffer.from(seal.der));
    },
  );
};
