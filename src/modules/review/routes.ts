/** review HTTP: the 审核员's queue, detail and decisions. Staff with the reviewer role only. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { applicationKindLabels, changeItemLabels } from '../../domain/aftersales.ts';
import { unitFieldLabels } from '../../domain/renewal.ts';
import { applicantTypeLabels, applicationStatuses, availableEvents, statusLabels } from '../../domain/application.ts';
import { attachmentLabel, isAttachmentKind } from '../../domain/attachments.ts';
import { formatYuan } from '../../domain/money.ts';
import { itemLabel, returnedItemSchema } from '../../domain/review.ts';
import { file, imageTypes, withErrors } from '../../http/contract/common.ts';
import { requireStaff, staffOf } from '../../http/session.ts';
import type { AttachmentService } from '../attachments/service.ts';
import { reviewDecided, reviewDetail, reviewQueue } from './schemas.ts';
import type { ReviewService } from './service.ts';

const idParams = z.object({ id: z.string() });

export const reviewRoutes: FastifyPluginAsyncZod<{
  review: ReviewService;
  attachments: AttachmentService;
  clock: () => Date;
}> = async (app, { review, attachments, clock }) => {
  app.addHook('preHandler', requireStaff('reviewer'));

  app.get(
    '/api/review/queue',
    {
      schema: {
        tags: ['review'],
        summary: '审核队列（最早提交的在前）',
        querystring: z.object({
          status: z.enum(applicationStatuses).default('pending_review'),
          project: z.string().optional(),
          type: z.enum(['enterprise', 'institution']).optional(),
          olderThanDays: z.coerce.number().int().min(0).max(365).optional(),
          q: z.string().trim().max(100).optional(),
        }),
        response: withErrors({ 200: reviewQueue }),
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await review.queue({
        statuses: [q.status],
        projectId: q.project,
        applicantType: q.type,
        submittedBefore: q.olderThanDays === undefined ? undefined : new Date(clock().getTime() - q.olderThanDays * 86_400_000),
        search: q.q || undefined,
        limit: 200,
      });
      return {
        items: rows.map((r) => ({
          ...r,
          applicantTypeLabel: applicantTypeLabels[r.applicantType],
          statusLabel: statusLabels[r.status],
          submittedAt: r.submittedAt?.toISOString() ?? null,
          flags: [
            ...(r.kind !== 'new' ? [applicationKindLabels[r.kind]] : []),
            ...(r.registryOutcome === 'not_found' ? ['企业不存在'] : []),
            ...(r.registryOutcome === 'lagging' ? ['登记信息未更新'] : []),
            ...(r.manualReview ? ['需人工核验'] : []),
            ...(r.latestDecision === 'first_approval' ? ['待复核'] : []),
          ],
        })),
      };
    },
  );

  app.get('/api/review/applications/:id', { schema: { tags: ['review'], summary: '审核详情', params: idParams, response: withErrors({ 200: reviewDetail }) } }, async (request) => {
    const d = await review.detail(request.params.id);
    const a = d.app;
    return {
      id: a.id,
      number: a.number,
      status: a.status,
      statusLabel: statusLabels[a.status],
      /** What this 审核员 may do now (审核通过 / 审核不通过). */
      events: availableEvents(a, staffOf(request)),
      applicantType: a.applicantType,
      applicantTypeLabel: applicantTypeLabels[a.applicantType],
      manualReview: a.manualReview,
      registryOutcome: a.registryOutcome,
      operator: { name: a.operatorName, idNumber: a.operatorIdNumber, phone: a.operatorPhone },
      organisation: { name: a.orgName, uscc: a.uscc, legalRepresentative: a.legalRepresentative },
      projectId: a.projectId,
      projectName: d.project?.name ?? a.projectId,
      requiresSecondReview: d.project?.requiresSecondReview ?? false,
      invoice: a.invoice,
      delivery: a.delivery,
      amount: formatYuan(a.priceFen),
      termYears: a.termYears,
      submittedAt: a.submittedAt?.toISOString() ?? null,
      attachments: d.files.map((f) => ({
        id: f.id,
        kind: f.kind,
        label: isAttachmentKind(f.kind) ? attachmentLabel(f.kind, a.applicantType) : f.kind,
        width: f.width,
        height: f.height,
        sizeBytes: f.sizeBytes,
      })),
      previousDecision: d.previous
        ? {
            decision: d.previous.decision,
            reviewer: d.previousReviewer,
            at: d.previous.createdAt.toISOString(),
            items: d.previous.items.map((i) => ({ ...i, label: itemLabel(i.item, a.applicantType) })),
          }
        : null,
      changedSinceLastReview: d.changedSinceLastReview,
      /**
       * 续期 / 变更 / 补办: the certificate concerned, the unit's data as verified last time beside
       * the application's (old and new side by side), and what changed.
       */
      renewal:
        a.kind !== 'new' && a.renewal
          ? {
              kindLabel: applicationKindLabels[a.kind],
              renewsSerial: a.concernsSerial,
              previousCertificate: d.renewed ? { serialHex: d.renewed.serialHex, notBefore: d.renewed.notBefore.toISOString(), notAfter: d.renewed.notAfter.toISOString() } : null,
              previous: a.renewal.previous,
              changed: a.renewal.changed.map((f) => ({ field: f, label: unitFieldLabels[f] })),
              operatorChanged: a.renewal.operatorChanged,
              claimed: (a.renewal.claimed ?? []).map((c) => ({ item: c, label: changeItemLabels[c] })),
              registryLagging: a.renewal.registryLagging ?? false,
            }
          : null,
      duplicates: d.duplicates,
      validCertificates: d.validCertificates,
    };
  });

  app.get(
    '/api/review/applications/:id/attachments/:attachmentId/content',
    { schema: { tags: ['review'], summary: '附件图像', params: z.object({ id: z.string(), attachmentId: z.string() }), response: withErrors({ 200: file('附件图像', ...imageTypes) }) } },
    async (request, reply) => {
      const c = await attachments.content(request.params.id, request.params.attachmentId);
      return reply.type(c.contentType).header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff').send(c.data);
    },
  );

  app.post(
    '/api/review/applications/:id/decision',
    {
      schema: {
        tags: ['review'],
        summary: '审核通过 / 审核不通过（逐项说明原因）',
        params: idParams,
        body: z.discriminatedUnion('decision', [
          z.object({ decision: z.literal('approve'), note: z.string().max(500).optional() }),
          z.object({
            decision: z.literal('return'),
            items: z.array(returnedItemSchema).min(1, '请至少选择一项需要修改的内容并填写原因').max(20),
            note: z.string().max(500).optional(),
          }),
        ]),
        response: withErrors({ 200: reviewDecided }),
      },
    },
    async (request) => {
      const { row, stage } = await review.decide(staffOf(request), request.params.id, request.body);
      return { status: row.status, statusLabel: statusLabels[row.status], stage };
    },
  );
};
