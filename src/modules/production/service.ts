/**
 * production: the 制证员's queue and each order's way out — 开始制证 (已支付 → 制证中), then 邮寄 with
 * courier and waybill number (→ 已邮寄) or 通知自取 (→ 待自取), each with an SMS to the applicant;
 * and the end — 确认收货 by the applicant, 现场领取 at the counter, or by itself after
 * AUTO_COMPLETE_DAYS (→ 已完成). Status changes go through fireTransition with their audit record;
 * the shipment row commits in the same transaction. Certificates and seals are the CA module's.
 */
import type { Logger } from 'pino';
import type { Db, Tx } from '../../db/database.ts';
import { statusLabels, transition, type Actor, type ApplicationStatus } from '../../domain/application.ts';
import type { Delivery } from '../../domain/application-form.ts';
import { AppError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/principal.ts';
import { assertDeliveryAllows, autoCompleteBefore, courierLabel, normaliseTrackingNumber, type Courier } from '../../domain/shipping.ts';
import * as apps from '../applications/repository.ts';
import { fireTransition } from '../applications/transitions.ts';
import type { CatalogueService } from '../catalogue/service.ts';
import type { ApplicantNotices } from '../notifications/notices.ts';
import * as repo from './repository.ts';
import { queueStatuses, type QueueStatus } from './schemas.ts';

type Staff = Extract<Principal, { kind: 'staff' }>;
type Applicant = Extract<Principal, { kind: 'applicant' }>;
export type ProductionService = ReturnType<typeof createProductionService>;

/** What production sees: from 已支付 on. Earlier statuses belong to review and payments. */
export const productionStatuses = ['paid', 'in_production', 'shipped', 'awaiting_pickup', 'completed'] as const satisfies readonly ApplicationStatus[];
export { queueStatuses, type QueueStatus };

/**
 * What is still missing before an order may leave (邮寄 / 通知自取): a valid certificate, the
 * electronic seal. The CA module answers it; undefined when everything to hand over exists.
 */
export type HandOverCheck = (applicationId: string) => Promise<AppError | undefined>;

export const AUTO_COMPLETE_ACTOR = { kind: 'system', id: 'auto-complete' } as const satisfies Actor;

export interface ProductionDeps {
  db: Db;
  clock: () => Date;
  log: Logger;
  catalogue: CatalogueService;
  notices: ApplicantNotices;
  pickupAddress: string;
  autoCompleteDays: number;
  /** 邮寄 / 通知自取 only once everything to be handed over exists. */
  handOverProblem: HandOverCheck;
}

const notFound = () => new AppError('NOT_FOUND', '申请不存在', 404);

export function createProductionService(deps: ProductionDeps) {
  const { db, clock, log } = deps;

  /** Locks a production-stage application and runs `work` in one transaction. */
  async function onApplication<T>(id: string, work: (tx: Tx, app: apps.ApplicationRow) => Promise<T>): Promise<T> {
    return db.transaction(async (tx) => {
      const app = await apps.lockById(tx, id);
      if (!app || !(productionStatuses as readonly string[]).includes(app.status)) throw notFound();
      return work(tx, app);
    });
  }

  /**
   * Before 邮寄 / 通知自取: the event's own guard first (a wrong status says so, not "no
   * certificate"), then what must exist. Read outside the transaction: PGlite has one connection.
   */
  async function assertReadyToDeliver(producer: Staff, applicationId: string, event: 'ship' | 'ready_for_pickup'): Promise<void> {
    const app = await apps.findById(db, applicationId);
    if (!app || !(productionStatuses as readonly string[]).includes(app.status)) throw notFound();
    transition({ status: app.status, applicantId: app.applicantId }, event, producer, clock());
    const problem = await deps.handOverProblem(applicationId);
    if (problem) throw problem;
  }

  async function complete(tx: Tx, app: apps.ApplicationRow, actor: Actor, how: 'confirmed' | 'handover' | 'auto', now: Date) {
    const row = await fireTransition(tx, app, how === 'handover' ? 'hand_over' : 'confirm_receipt', actor, now, { how });
    await repo.markCompleted(tx, app.id, now, how, `${actor.kind}:${actor.id}`);
    return row;
  }

  return {
    async queue(status: QueueStatus, search: string | undefined) {
      const rows = await apps.productionQueue(db, { statuses: [status], search, limit: 200 });
      const shipped = await repo.shipmentsOf(db, rows.map((r) => r.id));
      return rows.map((r) => ({ ...r, shipment: shipped.get(r.id) }));
    },

    async detail(id: string) {
      const app = await apps.findById(db, id);
      if (!app || !(productionStatuses as readonly string[]).includes(app.status)) throw notFound();
      const project = app.projectId ? await deps.catalogue.project(app.projectId).catch(() => undefined) : undefined;
      const shipment = await repo.findShipment(db, app.id);
      return { app, project, shipment, pickupAddress: deps.pickupAddress };
    },

    /** 开始制证: 已支付 → 制证中. */
    start: (producer: Staff, id: string) => onApplication(id, (tx, app) => fireTransition(tx, app, 'start_production', producer, clock())),

    /** 邮寄: 制证中 → 已邮寄, with courier and waybill number; SMS to the applicant. */
    async ship(producer: Staff, id: string, input: { courier: Courier; trackingNumber: string }) {
      const trackingNumber = normaliseTrackingNumber(input.courier, input.trackingNumber);
      await assertReadyToDeliver(producer, id, 'ship');
      const row = await onApplication(id, async (tx, app) => {
        assertDeliveryAllows(app.delivery, 'post', undefined);
        const now = clock();
        const shipped = await fireTransition(tx, app, 'ship', producer, now, {
          courier: input.courier,
          trackingNumber,
          summary: `${courierLabel(input.courier)} 运单号 ${trackingNumber}`,
        });
        await repo.insertShipment(tx, { applicationId: app.id, method: 'post', courier: input.courier, trackingNumber, shippedBy: producer.id, shippedAt: now });
        await deps.notices.send(tx, app.applicantId, 'shipped', { number: app.number, courier: courierLabel(input.courier), trackingNumber });
        return shipped;
      });
      log.info({ applicationId: row.id, courier: input.courier }, 'application shipped');
      return row;
    },

    /** 通知自取: 制证中 → 待自取; SMS with the pickup address. A 邮寄 order needs a reason. */
    async pickup(producer: Staff, id: string, input: { reason?: string }) {
      await assertReadyToDeliver(producer, id, 'ready_for_pickup');
      const address = deps.pickupAddress;
      const reason = input.reason?.trim() ?? '';
      const row = await onApplication(id, async (tx, app) => {
        assertDeliveryAllows(app.delivery, 'pickup', reason);
        const now = clock();
        const ready = await fireTransition(tx, app, 'ready_for_pickup', producer, now, {
          pickupAddress: address,
          ...(reason ? { reason, summary: `改为自取：${reason}` } : {}),
        });
        await repo.insertShipment(tx, { applicationId: app.id, method: 'pickup', pickupAddress: address, note: reason, shippedBy: producer.id, shippedAt: now });
        await deps.notices.send(tx, app.applicantId, 'ready_for_pickup', { number: app.number, address });
        return ready;
      });
      return row;
    },

    /** 现场领取: the applicant collected it at the counter, 待自取 → 已完成. */
    handover: (producer: Staff, id: string) =>
      onApplication(id, (tx, app) => complete(tx, app, producer, 'handover', clock())),

    /** 确认收货 by the applicant who owns it: 已邮寄 / 待自取 → 已完成. */
    confirmReceipt: (applicant: Applicant, id: string) =>
      db.transaction(async (tx) => {
        const app = await apps.lockOwned(tx, applicant.id, id);
        if (!app) throw notFound();
        return complete(tx, app, applicant, 'confirmed', clock());
      }),

    /** How the applicant's order left: courier and number, or the pickup address. */
    async shipmentFor(applicant: Applicant, id: string) {
      const app = await apps.findOwned(db, applicant.id, id);
      if (!app) throw notFound();
      return repo.findShipment(db, app.id);
    },

    /**
     * 已邮寄 / 待自取 for more than AUTO_COMPLETE_DAYS → 已完成, by the system. Idempotent: each
     * application is re-read under its lock, and one completed meanwhile is left alone.
     */
    async autoComplete(now = clock()): Promise<number> {
      const due = await apps.deliveredBefore(db, autoCompleteBefore(now, deps.autoCompleteDays), 500);
      let completed = 0;
      for (const candidate of due) {
        const done = await db.transaction(async (tx) => {
          const app = await apps.lockById(tx, candidate.id);
          if (!app || (app.status !== 'shipped' && app.status !== 'awaiting_pickup') || app.updatedAt > candidate.updatedAt) return false;
          await complete(tx, app, AUTO_COMPLETE_ACTOR, 'auto', now);
          return true;
        });
        if (done) completed++;
      }
      if (completed > 0) log.info({ completed, days: deps.autoCompleteDays }, 'orders completed automatically');
      return completed;
    },
  };
}
