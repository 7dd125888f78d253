/**
 * 微信支付 (Native): one order per attempt, shown as a QR code until it expires (default 2 h; then
 * it is closed at WeChat Pay and the next try makes a new one). The result arrives by the signed
 * notify, or by querying the order when the browser polls; both go through `settle`, which applies
 * a success exactly once: a replay changes nothing, a second success is kept and refunded, an
 * amount that is not the order's changes nothing and is written to the audit log.
 */
import QRCode from 'qrcode';
import type { Db, Tx } from '../../db/database.ts';
import { statusLabels, type ApplicationStatus } from '../../domain/application.ts';
import { AppError } from '../../domain/errors.ts';
import { refundEventOf, refundMay } from '../../domain/lifecycles.ts';
import { outTradeNo } from '../../domain/payment.ts';
import type { Logger } from 'pino';
import {
  NOTIFY_ACCEPTED,
  WechatNotifyError,
  WechatPayError,
  notifyRefused,
  type NotifyAnswer,
  type NotifyInput,
  type WechatPayProvider,
  type WechatTransaction,
} from '../../providers/wechatpay/types.ts';
import * as apps from '../applications/repository.ts';
import { fireTransition } from '../applications/transitions.ts';
import { appendAudit } from '../audit/chain.ts';
import * as repo from './repository.ts';
import { assertPayable, notFound, paymentView, type Applicant, type Staff } from './service.ts';

const SYSTEM = { kind: 'system' as const, id: 'wechatpay' };

export interface WechatPaymentsDeps {
  db: Db;
  clock: () => Date;
  log: Logger;
  provider: () => WechatPayProvider;
  notifyUrl: () => string;
  orderTtlMinutes: number;
  caName: string;
  /** Demo and development: where a person can "scan" the QR code (the simulator's payer page). */
  payPage?: (codeUrl: string) => string;
  /** 已支付 written: what follows it in the same transaction (the 待确认印章 SMS, payments/service.ts). */
  onPaid: (tx: Tx, app: apps.ApplicationRow) => Promise<void>;
  /** A cancelled application's refund went through (its invoice is reversed). */
  onRefunded: (tx: Tx, app: apps.ApplicationRow) => Promise<void>;
}

function unavailable(err: unknown): AppError {
  return new AppError('WECHATPAY_UNAVAILABLE', '微信支付暂时不可用，请稍后再试，或选择银行汇款', 502, { cause: String(err) });
}

export function createWechatPayments(deps: WechatPaymentsDeps) {
  const { db, clock, log } = deps;

  /**
   * Applies what WeChat Pay says of an order, once. Runs in the caller's transaction with the
   * payment row locked, so two notifies at once (or a notify and a poll) serialise here.
   */
  async function settle(tx: Tx, payment: repo.PaymentRow, t: WechatTransaction, source: 'notify' | 'query'): Promise<string> {
    if (t.tradeState !== 'SUCCESS') return 'not_paid';
    if (payment.status === 'paid' || payment.status === 'duplicate' || payment.status === 'refunded') return 'already_applied';
    const now = clock();
    if (t.amountFen !== payment.amountFen || t.outTradeNo !== payment.outTradeNo) {
      await appendAudit(tx, {
        at: now,
        actor: SYSTEM,
        action: 'payment.amount_mismatch',
        entityType: 'application',
        entityId: payment.applicationId,
        data: { paymentId: payment.id, expectedFen: payment.amountFen, reportedFen: t.amountFen ?? null, transactionId: t.transactionId ?? null, source },
      });
      log.warn({ paymentId: payment.id, expected: payment.amountFen, reported: t.amountFen }, 'wechat pay amount mismatch');
      return 'amount_mismatch';
    }
    const app = await apps.lockById(tx, payment.applicationId);
    if (!app) throw notFound();
    const paid = { paidAt: t.successTime ?? now, transactionId: t.transactionId ?? null, updatedAt: now };
    if (app.status === 'approved') {
      const row = await fireTransition(tx, app, 'pay_online', SYSTEM, now, { paymentId: payment.id, transactionId: t.transactionId ?? null, amountFen: t.amountFen, source });
      await repo.writeStatus(tx, payment, 'settle', paid);
      await deps.onPaid(tx, row);
      return 'paid';
    }
    // Paid already (another order, or a bank transfer), or no longer payable: keep the money's
    // record and raise a refund for 财务.
    await repo.writeStatus(tx, payment, 'mark_duplicate', paid);
    await repo.insertRefund(tx, {
      paymentId: payment.id,
      applicationId: payment.applicationId,
      outRefundNo: `${payment.outTradeNo}R`,
      amountFen: payment.amountFen,
      reason: '重复支付退款',
      kind: 'duplicate',
      status: 'pending',
      createdAt: now,
    });
    await appendAudit(tx, {
      at: now,
      actor: SYSTEM,
      action: 'payment.duplicate',
      entityType: 'application',
      entityId: payment.applicationId,
      data: { paymentId: payment.id, transactionId: t.transactionId ?? null, applicationStatus: app.status },
    });
    return 'duplicate';
  }

  async function closeAtProvider(payment: repo.PaymentRow) {
    if (!payment.outTradeNo) return;
    try {
      await deps.provider().closeOrder(payment.outTradeNo);
    } catch (err) {
      // Already closed or paid: the query below tells which.
      if (!(err instanceof WechatPayError) || err.retryable) throw unavailable(err);
    }
  }

  /** Queries the order and settles it; closes it when it has expired unpaid. */
  async function refresh(payment: repo.PaymentRow): Promise<repo.PaymentRow> {
    if (payment.status !== 'open' || !payment.outTradeNo) return payment;
    const now = clock();
    let t: WechatTransaction;
    try {
      t = await deps.provider().queryOrder(payment.outTradeNo);
    } catch (err) {
      log.warn({ paymentId: payment.id, err: String(err) }, 'wechat pay query failed');
      return payment;
    }
    if (t.tradeState === 'SUCCESS') {
      await db.transaction(async (tx) => {
        const locked = await repo.lock(tx, payment.id);
        if (locked) await settle(tx, locked, t, 'query');
      });
    } else if (payment.expiresAt && payment.expiresAt <= now) {
      await closeAtProvider(payment);
      await db.transaction(async (tx) => {
        const locked = await repo.lock(tx, payment.id);
        if (locked?.status === 'open') await repo.writeStatus(tx, locked, 'close', { updatedAt: now });
      });
    }
    return (await repo.findById(db, payment.id)) ?? payment;
  }

  async function orderView(payment: repo.PaymentRow) {
    return {
      payment: paymentView(payment),
      codeUrl: payment.codeUrl,
      qrDataUrl: payment.codeUrl && payment.status === 'open' ? await QRCode.toDataURL(payment.codeUrl, { margin: 1, width: 240 }) : null,
      payPageUrl: payment.codeUrl && deps.payPage ? deps.payPage(payment.codeUrl) : null,
    };
  }

  return {
    /** 微信支付 → 确认支付: the open order's QR code, or a new order when there is none or it expired. */
    async order(applicant: Applicant, id: string) {
      const app = await apps.findOwned(db, applicant.id, id);
      if (!app) throw notFound();
      assertPayable(app);
      let current = await repo.latest(db, app.id, 'wechat');
      if (current) current = await refresh(current);
      const now = clock();
      if (current?.status === 'open' && current.expiresAt && current.expiresAt > now && current.amountFen === app.priceFen) {
        return orderView(current);
      }
      if (current?.status === 'paid') return orderView(current);
      const attempt = (await repo.countOf(db, app.id, 'wechat')) + 1;
      const expiresAt = new Date(now.getTime() + deps.orderTtlMinutes * 60_000);
      const payment = await repo.insert(db, {
        applicationId: app.id,
        method: 'wechat',
        amountFen: app.priceFen,
        status: 'open',
        outTradeNo: outTradeNo(app.number, attempt),
        expiresAt,
        createdAt: now,
        updatedAt: now,
      });
      try {
        const { codeUrl } = await deps.provider().createNativeOrder({
          outTradeNo: payment.outTradeNo!,
          description: `${deps.caName}-单位证书及电子印章-${app.number}`.slice(0, 127),
          amountFen: payment.amountFen,
          timeExpire: expiresAt,
          notifyUrl: deps.notifyUrl(),
          attach: app.id,
        });
        return orderView(await repo.update(db, payment.id, { codeUrl, updatedAt: now }));
      } catch (err) {
        await db.transaction(async (tx) => {
          const locked = await repo.lock(tx, payment.id);
          if (locked?.status === 'open') await repo.writeStatus(tx, locked, 'close', { updatedAt: clock() });
        });
        log.error({ paymentId: payment.id, err: String(err) }, 'wechat pay order not created');
        throw unavailable(err);
      }
    },

    /** What the browser polls while the QR code is shown: settles by query when no notify came. */
    async status(applicant: Applicant, id: string) {
      const app = await apps.findOwned(db, applicant.id, id);
      if (!app) throw notFound();
      const current = await repo.latest(db, app.id, 'wechat');
      const fresh = current ? await refresh(current) : undefined;
      const after = (await apps.findById(db, app.id)) ?? app;
      return {
        status: after.status,
        statusLabel: statusLabels[after.status],
        paid: fresh?.status === 'paid',
        payment: fresh ? paymentView(fresh) : null,
      };
    },

    /** The notify endpoint's work: verify, then apply once. Answers as WeChat Pay requires. */
    async notify(input: NotifyInput): Promise<NotifyAnswer> {
      let n;
      try {
        n = await deps.provider().parseNotify(input);
      } catch (err) {
        if (err instanceof WechatNotifyError) {
          log.warn({ reason: err.reason }, 'wechat pay notify refused');
          return err.answer;
        }
        throw err;
      }
      if (n.kind === 'refund') {
        await this.refundResult(n.refund.outRefundNo, n.refund.status);
        return NOTIFY_ACCEPTED;
      }
      const t = n.transaction;
      try {
        const outcome = await db.transaction(async (tx) => {
          const payment = await repo.lockByOutTradeNo(tx, t.outTradeNo);
          if (!payment) return 'unknown_order';
          const first = await repo.rememberNotification(tx, n.id, t.outTradeNo, 'received', clock());
          if (!first) return 'replay';
          return settle(tx, payment, t, 'notify');
        });
        log.info({ outTradeNo: t.outTradeNo, outcome }, 'wechat pay notify');
        return NOTIFY_ACCEPTED;
      } catch (err) {
        log.error({ outTradeNo: t.outTradeNo, err: String(err) }, 'wechat pay notify not applied');
        return notifyRefused(500, '处理失败，请重试');
      }
    },

    /** A refund's outcome from its notify. */
    async refundResult(outRefundNo: string, status: string) {
      const now = clock();
      await db.transaction(async (tx) => {
        const [row] = (await repo.pendingByOutRefundNo(tx, outRefundNo)) ?? [];
        if (!row) return;
        const event = refundEventOf(status);
        // A notify after success (or a replay) changes nothing: success is never stepped back from.
        if (!refundMay(row.status, event)) return;
        await repo.writeRefundStatus(tx, row, event, event === 'succeed' ? { settledAt: now } : {});
      });
    },

    /**
     * Cancelling a paid application (before production): a WeChat payment is refunded through
     * WeChat Pay at once (→ 已退款); a bank transfer waits for 财务 to send the money back.
     */
    async cancelPaid(applicant: Applicant, id: string) {
      const app = await apps.findOwned(db, applicant.id, id);
      if (!app) throw notFound();
      if (app.status !== 'paid') {
        throw new AppError('NOT_REFUNDABLE', `当前状态为“${statusLabels[app.status]}”，不能申请退款`, 409);
      }
      const payment = (await repo.latestPaid(db, app.id)) ?? undefined;
      if (!payment) throw new AppError('NOT_REFUNDABLE', '未找到已支付的记录', 409);
      const now = clock();
      const existing = (await repo.refundsOf(db, app.id)).find((r) => r.kind === 'cancel');
      if (existing) return { refund: existing, status: app.status, statusLabel: statusLabels[app.status] };
      const refund = await repo.insertRefund(db, {
        paymentId: payment.id,
        applicationId: app.id,
        outRefundNo: `${payment.outTradeNo ?? payment.remittanceCode ?? app.number}C`,
        amountFen: payment.amountFen,
        reason: '申请取消退款',
        kind: 'cancel',
        status: 'pending',
        createdAt: now,
      });
      if (payment.method === 'wechat') return this.refundThroughProvider(applicant, refund.id);
      return { refund, status: app.status, statusLabel: statusLabels[app.status] };
    },

    /** Sends a pending refund of a WeChat payment to WeChat Pay; a cancel refund makes it 已退款. */
    async refundThroughProvider(actor: Applicant | Staff, refundId: string) {
      const [pending] = await repo.refundsById(db, refundId);
      if (!pending) throw new AppError('NOT_FOUND', '退款记录不存在', 404);
      const paid = await repo.findById(db, pending.paymentId);
      if (!paid?.outTradeNo) throw new AppError('REFUND_METHOD', '银行汇款的退款由财务线下汇回后点击“已退款”', 409);
      if (pending.status === 'succeeded' || pending.status === 'processing') {
        throw new AppError('REFUND_STATUS', '该笔退款已在处理', 409);
      }
      // WeChat Pay is called outside any transaction (no lock waits on the network); its
      // out_refund_no makes a retry after a failure the same refund, not a second one.
      let result;
      try {
        result = await deps.provider().refund({
          outTradeNo: paid.outTradeNo,
          outRefundNo: pending.outRefundNo,
          refundFen: pending.amountFen,
          totalFen: paid.amountFen,
          reason: pending.reason,
          notifyUrl: deps.notifyUrl(),
        });
      } catch (err) {
        throw unavailable(err);
      }
      const now = clock();
      const outcome = await db.transaction(async (tx) => {
        const refund = await repo.lockRefund(tx, refundId);
        if (!refund) throw new AppError('NOT_FOUND', '退款记录不存在', 404);
        // The refund's own notify may have been applied in between: never step back from 成功.
        const event = refundEventOf(result.status);
        const recorded = refundMay(refund.status, event)
          ? await repo.writeRefundStatus(tx, refund, event, { providerRefundId: result.refundId, ...(event === 'succeed' ? { settledAt: now } : {}) })
          : refund;
        // Refused by WeChat Pay: the money is still the CA's; it may be sent again (the failure is kept).
        if (recorded.status === 'failed') return undefined;
        const payment = await repo.lock(tx, refund.paymentId);
        if (payment && payment.status !== 'refunded') await repo.writeStatus(tx, payment, 'refund', { updatedAt: now });
        if (refund.kind !== 'cancel') return { refund: recorded, status: 'paid' as const, statusLabel: statusLabels.paid };
        const app = await apps.lockById(tx, refund.applicationId);
        if (!app) throw notFound();
        let row = app;
        if (app.status !== 'refunded') {
          row = await fireTransition(tx, app, 'refund', actor, now, { refundId: refund.id, amountFen: refund.amountFen });
          await deps.onRefunded(tx, row);
        }
        return { refund: recorded, status: row.status, statusLabel: statusLabels[row.status] };
      });
      if (!outcome) throw new AppError('REFUND_FAILED', '微信支付未能退款，请稍后重试', 502);
      return outcome;
    },
  };
}

export type WechatPayments = ReturnType<typeof createWechatPayments>;
