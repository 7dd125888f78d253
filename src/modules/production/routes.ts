/**
 * production HTTP: the 制证员's queue, detail and actions (staff with the producer role only), and
 * the applicant's side of delivery — how the order left, and 确认收货 (owner only).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { applicantTypeLabels, availableEvents, mayWork, statusLabels, type ApplicationStatus } from '../../domain/application.ts';
import { couriers, type Delivery, type Invoice } from '../../domain/application-form.ts';
import { formatYuan } from '../../domain/money.ts';
import { courierCodes, courierLabel } from '../../domain/shipping.ts';
import { withErrors } from '../../http/contract/common.ts';
import { applicantOf, requireApplicant, requireStaff, staffOf } from '../../http/session.ts';
import { statusChange } from '../applications/schemas.ts';
import { productionDetail, productionQueue, shipmentAnswer, type ShipmentView } from './schemas.ts';
import type { ShipmentRow } from './repository.ts';
import { queueStatuses, type ProductionService } from './service.ts';

const idParams = z.object({ id: z.string() });

function deliveryLabel(d: Delivery | null): string {
  if (!d) return '—';
  return d.method === 'pickup' ? '自取' : `邮寄（${couriers[d.courier]}）`;
}

/** A shipment as both sides read it. */
export function shipmentView(s: ShipmentRow | undefined): ShipmentView | null {
  if (!s) return null;
  return {
    method: s.method,
    methodLabel: s.method === 'post' ? '邮寄' : '自取',
    courier: s.courier,
    courierLabel: s.courier ? courierLabel(s.courier) : null,
    trackingNumber: s.trackingNumber,
    pickupAddress: s.pickupAddress,
    note: s.note || null,
    shippedAt: s.shippedAt.toISOString(),
    completedAt: s.completedAt?.toISOString() ?? null,
    completedHowLabel: s.completedHow ? { confirmed: '申请人确认收货', handover: '现场领取', auto: '逾期自动确认收货' }[s.completedHow] : null,
  };
}

const statusResult = (row: { status: ApplicationStatus }) => ({ status: row.status, statusLabel: statusLabels[row.status] });

export const productionRoutes: FastifyPluginAsyncZod<{ production: ProductionService }> = async (app, { production }) => {
  app.addHook('preHandler', requireStaff('producer'));

  app.get(
    '/api/production/queue',
    {
      schema: {
        tags: ['production'],
        summary: '制证队列（最早的在前）',
        querystring: z.object({
          status: z.enum(queueStatuses).default('paid'),
          q: z.string().trim().max(100).optional(),
        }),
        response: withErrors({ 200: productionQueue }),
      },
    },
    async (request) => {
      const rows = await production.queue(request.query.status, request.query.q || undefined);
      return {
        items: rows.map((r) => ({
          id: r.id,
          number: r.number,
          orgName: r.orgName,
          uscc: r.uscc,
          projectName: r.projectName,
          status: r.status,
          statusLabel: statusLabels[r.status],
          deliveryMethod: (r.delivery)?.method ?? null,
          deliveryLabel: deliveryLabel(r.delivery),
          submittedAt: r.submittedAt?.toISOString() ?? null,
          updatedAt: r.updatedAt.toISOString(),
          shipment: shipmentView(r.shipment),
        })),
      };
    },
  );

  app.get('/api/production/applications/:id', { schema: { tags: ['production'], summary: '制证详情', params: idParams, response: withErrors({ 200: productionDetail }) } }, async (request) => {
    const d = await production.detail(request.params.id);
    const a = d.app;
    return {
      id: a.id,
      number: a.number,
      status: a.status,
      statusLabel: statusLabels[a.status],
      /** What this 制证员 may do now: the buttons the page shows. */
      events: availableEvents(a, staffOf(request)),
      canIssue: mayWork(a.status, 'issue_certificate'),
      applicantType: a.applicantType,
      applicantTypeLabel: applicantTypeLabels[a.applicantType],
      operator: { name: a.operatorName, phone: a.operatorPhone },
      organisation: { name: a.orgName, uscc: a.uscc, legalRepresentative: a.legalRepresentative },
      projectName: d.project?.name ?? a.projectId,
      invoice: (a.invoice) ?? null,
      delivery: (a.delivery) ?? null,
      deliveryLabel: deliveryLabel(a.delivery),
      pickupAddress: d.pickupAddress,
      amount: formatYuan(a.priceFen),
      submittedAt: a.submittedAt?.toISOString() ?? null,
      updatedAt: a.updatedAt.toISOString(),
      shipment: shipmentView(d.shipment),
      timelineUrl: `/api/console/applications/${a.id}/timeline`,
    };
  });

  app.post('/api/production/applications/:id/start', { schema: { tags: ['production'], summary: '开始制证（已支付 → 制证中）', params: idParams, response: withErrors({ 200: statusChange }) } }, async (request) =>
    statusResult(await production.start(staffOf(request), request.params.id)),
  );

  app.post(
    '/api/production/applications/:id/ship',
    {
      schema: {
        tags: ['production'],
        summary: '邮寄（制证中 → 已邮寄，短信通知申请人）',
        params: idParams,
        body: z.object({
          courier: z.enum(courierCodes, { error: '请选择快递公司' }),
          trackingNumber: z.string({ error: '请填写运单号' }).trim().min(1, '请填写运单号').max(40, '运单号过长'),
        }),
        response: withErrors({ 200: statusChange }),
      },
    },
    async (request) => statusResult(await production.ship(staffOf(request), request.params.id, request.body)),
  );

  app.post(
    '/api/production/applications/:id/pickup',
    {
      schema: {
        tags: ['production'],
        summary: '通知自取（制证中 → 待自取，短信告知领取地址）',
        params: idParams,
        body: z.object({ reason: z.string().trim().max(200, '原因不能超过200个字符').optional() }).default({}),
        response: withErrors({ 200: statusChange }),
      },
    },
    async (request) => statusResult(await production.pickup(staffOf(request), request.params.id, request.body)),
  );

  app.post(
    '/api/production/applications/:id/handover',
    { schema: { tags: ['production'], summary: '现场领取（待自取 → 已完成）', params: idParams, response: withErrors({ 200: statusChange }) } },
    async (request) => statusResult(await production.handover(staffOf(request), request.params.id)),
  );
};

/** The applicant's side: how the order left, and 确认收货. */
export const receiptRoutes: FastifyPluginAsyncZod<{ production: ProductionService }> = async (app, { production }) => {
  app.addHook('preHandler', requireApplicant);

  app.get('/api/applications/:id/shipment', { schema: { tags: ['applications'], summary: '邮寄信息 / 自取地址', params: idParams, response: withErrors({ 200: shipmentAnswer }) } }, async (request) => ({
    shipment: shipmentView(await production.shipmentFor(applicantOf(request), request.params.id)),
  }));

  app.post(
    '/api/applications/:id/confirm-receipt',
    { schema: { tags: ['applications'], summary: '确认收货（已邮寄 / 待自取 → 已完成）', params: idParams, response: withErrors({ 200: statusChange }) } },
    async (request) => statusResult(await production.confirmReceipt(applicantOf(request), request.params.id)),
  );
};
