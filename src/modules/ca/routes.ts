/**
 * The CA's HTTP for people: the 制证员's issuance, seal and revocation endpoints (called by the
 * production queue's screens), and the applicant's seal-picture approval, artefacts and downloads.
 * Every object is reached through its application, and an applicant only through their own.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.ts';
import { applicantOf, requireApplicant, requireStaff, staffOf } from '../../http/session.ts';
import { revocableReasons, normaliseSerial, type CaService } from './service.ts';
import type { SealService } from './seals.ts';
import { certificateView, sealView } from './views.ts';

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
  clock: () => Date;
}

async function artefacts({ ca, seals, clock }: Services, applicationId: string, pictureUrl: string) {
  const now = clock();
  const [certs, seal, approval] = await Promise.all([ca.certificatesOf(applicationId), seals.latest(applicationId), seals.approval(applicationId)]);
  return {
    certificates: certs.map((c) => certificateView(c, now)),
    seal: seal ? sealView(seal, pictureUrl) : null,
    sealApproval: approval ? { approvedAt: approval.approvedAt.toISOString() } : null,
  };
}

export const productionCaRoutes: FastifyPluginAsyncZod<Services> = async (app, services) => {
  const { ca, seals, clock } = services;
  const producer = requireStaff('producer');

  app.post(
    '/api/production/applications/:id/certificates',
    { preHandler: producer, schema: { tags: ['production'], summary: '签发证书（USB Key 的 CSR，或软证书 PKCS#12）', params: idParams, body: issueBody } },
    async (request) => {
      const result = await ca.issueForApplication(staffOf(request), request.params.id, request.body);
      const now = clock();
      return { certificates: result.certificates.map((c) => certificateView(c, now)), ...(result.p12 ? { p12: result.p12 } : {}) };
    },
  );

  app.get(
    '/api/production/applications/:id/artefacts',
    { preHandler: producer, schema: { tags: ['production'], summary: '申请的证书、电子印章与印章图样确认', params: idParams } },
    async (request) => {
      await seals.assertExists(request.params.id);
      return artefacts(services, request.params.id, `/api/production/applications/${request.params.id}/seal.png`);
    },
  );

  app.post(
    '/api/production/applications/:id/seal',
    { preHandler: producer, schema: { tags: ['production'], summary: '制作电子印章（GB/T 38540）', params: idParams } },
    async (request) => {
      const row = await seals.make(staffOf(request), request.params.id);
      return { seal: sealView(row, `/api/production/applications/${request.params.id}/seal.png`) };
    },
  );

  app.get(
    '/api/production/applications/:id/seal.png',
    { preHandler: producer, schema: { tags: ['production'], summary: '已制作印章的图像', params: idParams } },
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
      },
    },
    async (request) => {
      const row = await ca.revoke(staffOf(request), request.params.serial, request.body.reason);
      return { certificate: certificateView(row, clock()) };
    },
  );
};

export const applicantCaRoutes: FastifyPluginAsyncZod<Services> = async (app, services) => {
  const { ca, seals } = services;
  app.addHook('preHandler', requireApplicant);
  const pictureUrl = (id: string) => `/api/applications/${id}/seal/preview.png`;

  app.get(
    '/api/applications/:id/seal/preview.png',
    { schema: { tags: ['applications'], summary: '电子印章图样（资料审核通过后）', params: idParams } },
    async (request, reply) => {
      const png = await seals.preview(applicantOf(request).id, request.params.id);
      return reply.type('image/png').header('cache-control', 'private, no-store').send(Buffer.from(png));
    },
  );

  app.post(
    '/api/applications/:id/seal/approve',
    { schema: { tags: ['applications'], summary: '确认电子印章图样', params: idParams } },
    async (request) => {
      const at = await seals.approve(applicantOf(request), request.params.id);
      return { approvedAt: at.toISOString() };
    },
  );

  app.get(
    '/api/applications/:id/artefacts',
    { schema: { tags: ['applications'], summary: '我的证书与电子印章', params: idParams } },
    async (request) => {
      await seals.assertOwned(applicantOf(request).id, request.params.id);
      return artefacts(services, request.params.id, pictureUrl(request.params.id));
    },
  );

  app.get(
    '/api/applications/:id/certificates/:file',
    { schema: { tags: ['applications'], summary: '下载证书（DER，.cer）', params: z.object({ id: idParams.shape.id, file: z.string().max(90) }) } },
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

  app.get(
    '/api/applications/:id/seal.esl',
    { schema: { tags: ['applications'], summary: '下载电子印章（GB/T 38540 SESeal，DER）', params: idParams } },
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
