/**
 * The simulator's books: Native orders and refunds in memory, with WeChat Pay's rules for them —
 * a repeated out_trade_no, expiry at time_expire, closing, paying, refundable amounts — and their
 * wire form. No HTTP and no signatures here; simulator.ts puts those around it.
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { nativeRequestSchema, refundRequestSchema, RefundBody, RefundResourceBody, TransactionBody } from './protocol.ts';
import { beijingTime } from './signing.ts';
import type { RefundStatus } from './types.ts';

export interface Refusal {
  status: number;
  code: string;
  message: string;
}

export function refusal(status: number, code: string, message: string): Refusal {
  return { status, code, message };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'code' in value && 'status' in value && 'message' in value;
}

type SimState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';

export interface SimOrder {
  appid: string;
  mchid: string;
  outTradeNo: string;
  description: string;
  totalFen: number;
  attach: string | undefined;
  notifyUrl: string;
  timeExpire: Date;
  codeUrl: string;
  state: SimState;
  /** Why it is CLOSED: the merchant closed it, or time_expire passed. */
  closedBy?: 'merchant' | 'expiry';
  transactionId?: string;
  successTime?: Date;
  payerOpenid?: string;
  /** Everything the merchant sent, to tell a retried create from a different order reusing the number. */
  fingerprint: string;
}

export interface SimRefund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  refundFen: number;
  totalFen: number;
  reason: string | undefined;
  notifyUrl: string | undefined;
  status: RefundStatus;
  createTime: Date;
  successTime?: Date;
  fingerprint: string;
}

type NativeRequest = z.output<typeof nativeRequestSchema>;
type RefundRequest = z.output<typeof refundRequestSchema>;

/** WeChat Pay's default when time_expire is left out. */
const DEFAULT_EXPIRY_MS = 2 * 3600_000;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomChars(alphabet: string, length: number): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

function digits(length: number): string {
  return randomChars('0123456789', length);
}

function yyyymmdd(date: Date): string {
  return beijingTime(date).slice(0, 10).replaceAll('-', '');
}

export class SimLedger {
  private readonly orders = new Map<string, SimOrder>();
  private readonly byCodeUrl = new Map<string, string>();
  private readonly refunds = new Map<string, SimRefund>();

  constructor(
    private readonly mchid: string,
    private readonly appid: string,
  ) {}

  create(req: NativeRequest, now: Date): SimOrder | Refusal {
    if (req.mchid !== this.mchid) return refusal(400, 'MCH_NOT_EXISTS', '商户号不存在');
    if (req.appid !== this.appid) return refusal(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
    const timeExpire = req.time_expire === undefined ? new Date(now.getTime() + DEFAULT_EXPIRY_MS) : new Date(req.time_expire);
    if (timeExpire.getTime() <= now.getTime()) return refusal(400, 'PARAM_ERROR', '输入源“/body/time_expire”映射到值字段“time_expire”失败：订单已过期');
    const fingerprint = JSON.stringify([req.description, req.amount.total, req.attach ?? '', req.notify_url, timeExpire.getTime()]);

    const existing = this.current(req.out_trade_no, now);
    if (existing) {
      if (existing.state === 'SUCCESS' || existing.state === 'REFUND') return refusal(400, 'ORDERPAID', '该订单已支付');
      if (existing.state === 'CLOSED') return refusal(400, 'ORDER_CLOSED', '订单已关闭');
      // A retried request gets the same QR code; the same number for a different order is refused.
      if (existing.fingerprint === fingerprint) return existing;
      return refusal(403, 'OUT_TRADE_NO_USED', '商户订单号重复');
    }
    const codeUrl = `weixin://wxpay/bizpayurl?pr=${randomChars(ALNUM, 9)}`;
    const order: SimOrder = {
      appid: req.appid,
      mchid: req.mchid,
      outTradeNo: req.out_trade_no,
      description: req.description,
      totalFen: req.amount.total,
      attach: req.attach,
      notifyUrl: req.notify_url,
      timeExpire,
      codeUrl,
      state: 'NOTPAY',
      fingerprint,
    };
    this.orders.set(order.outTradeNo, order);
    this.byCodeUrl.set(codeUrl, order.outTradeNo);
    return order;
  }

  /** The order as of `now`: an unpaid order past its time_expire is closed by then. */
  current(outTradeNo: string, now: Date): SimOrder | undefined {
    const order = this.orders.get(outTradeNo);
    if (order?.state === 'NOTPAY' && now.getTime() >= order.timeExpire.getTime()) {
      order.state = 'CLOSED';
      order.closedBy = 'expiry';
    }
    return order;
  }

  byCode(codeUrl: string, now: Date): SimOrder | undefined {
    const outTradeNo = this.byCodeUrl.get(codeUrl);
    return outTradeNo === undefined ? undefined : this.current(outTradeNo, now);
  }

  query(outTradeNo: string, mchid: string, now: Date): SimOrder | Refusal {
    if (mchid !== this.mchid) return refusal(400, 'MCH_NOT_EXISTS', '商户号不存在');
    return this.current(outTradeNo, now) ?? refusal(404, 'ORDER_NOT_EXIST', '订单不存在');
  }

  close(outTradeNo: string, mchid: string, now: Date): SimOrder | Refusal {
    const order = this.query(outTradeNo, mchid, now);
    if (isRefusal(order)) return order;
    if (order.state === 'SUCCESS' || order.state === 'REFUND') return refusal(400, 'ORDERPAID', '订单已支付');
    if (order.state === 'NOTPAY') {
      order.state = 'CLOSED';
      order.closedBy = 'merchant';
    }
    return order;
  }

  /** The payer confirms on the phone. */
  pay(outTradeNo: string, now: Date): SimOrder | Refusal {
    const order = this.current(outTradeNo, now);
    if (!order) return refusal(404, 'ORDER_NOT_EXIST', '订单不存在');
    const refused = unpayable(order);
    if (refused) return refused;
    order.state = 'SUCCESS';
    order.successTime = now;
    order.transactionId = `4200${digits(6)}${yyyymmdd(now)}${digits(10)}`;
    order.payerOpenid = `o${randomChars(`${ALNUM}_-`, 27)}`;
    return order;
  }

  /** `created` is false when the same request was made before: WeChat Pay answers it with the same refund. */
  refund(req: RefundRequest, now: Date): { refund: SimRefund; created: boolean } | Refusal {
    const order = req.out_trade_no
      ? this.current(req.out_trade_no, now)
      : [...this.orders.values()].find((o) => o.transactionId === req.transaction_id);
    if (!order) return refusal(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    const fingerprint = JSON.stringify([order.outTradeNo, req.amount.refund, req.amount.total, req.reason ?? '', req.notify_url ?? '']);
    const existing = this.refunds.get(req.out_refund_no);
    if (existing) {
      if (existing.fingerprint === fingerprint) return { refund: existing, created: false };
      return refusal(400, 'INVALID_REQUEST', '退款单号重复，且请求参数与原退款单不一致');
    }
    if ((order.state !== 'SUCCESS' && order.state !== 'REFUND') || order.transactionId === undefined) {
      return refusal(400, 'INVALID_REQUEST', '订单未支付，不能退款');
    }
    if (req.amount.total !== order.totalFen) return refusal(400, 'PARAM_ERROR', '订单金额与原交易金额不一致');
    const refunded = [...this.refunds.values()]
      .filter((r) => r.outTradeNo === order.outTradeNo && r.status !== 'CLOSED')
      .reduce((sum, r) => sum + r.refundFen, 0);
    if (req.amount.refund > order.totalFen - refunded) return refusal(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');

    const refund: SimRefund = {
      refundId: `50${digits(6)}${yyyymmdd(now)}${digits(13)}`,
      outRefundNo: req.out_refund_no,
      outTradeNo: order.outTradeNo,
      transactionId: order.transactionId,
      refundFen: req.amount.refund,
      totalFen: order.totalFen,
      reason: req.reason,
      notifyUrl: req.notify_url,
      status: 'PROCESSING',
      createTime: now,
      fingerprint,
    };
    this.refunds.set(refund.outRefundNo, refund);
    order.state = 'REFUND';
    return { refund, created: true };
  }

  /** WeChat Pay finishes a refund on its own time; the simulator after a configurable moment. */
  completeRefund(outRefundNo: string, now: Date): SimRefund | undefined {
    const refund = this.refunds.get(outRefundNo);
    if (refund?.status !== 'PROCESSING') return undefined;
    refund.status = 'SUCCESS';
    refund.successTime = now;
    return refund;
  }

  queryRefund(outRefundNo: string): SimRefund | Refusal {
    return this.refunds.get(outRefundNo) ?? refusal(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
  }
}

/** Why the phone cannot pay this order (already paid, closed, expired), or undefined if it can. */
export function unpayable(order: SimOrder): Refusal | undefined {
  if (order.state === 'SUCCESS' || order.state === 'REFUND') return refusal(400, 'ORDERPAID', '该订单已支付');
  if (order.state === 'CLOSED') {
    return refusal(400, 'ORDER_CLOSED', order.closedBy === 'expiry' ? '二维码已过期，请刷新后重新扫码' : '订单已关闭');
  }
  return undefined;
}

const TRADE_STATE_DESC: Record<SimState, string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  CLOSED: '订单已关闭',
  REFUND: '转入退款',
};

/** The order as the query answers it and as TRANSACTION.SUCCESS carries it. */
export function transactionBody(order: SimOrder): TransactionBody {
  const body: TransactionBody = {
    appid: order.appid,
    mchid: order.mchid,
    out_trade_no: order.outTradeNo,
    trade_state: order.state,
    trade_state_desc: TRADE_STATE_DESC[order.state],
    amount: { total: order.totalFen, currency: 'CNY', payer_currency: 'CNY' },
  };
  if (order.attach !== undefined) body.attach = order.attach;
  if (order.transactionId !== undefined && order.successTime !== undefined) {
    body.transaction_id = order.transactionId;
    body.trade_type = 'NATIVE';
    body.bank_type = 'OTHERS';
    body.success_time = beijingTime(order.successTime);
    body.payer = { openid: order.payerOpenid ?? '' };
    body.amount = { ...body.amount, payer_total: order.totalFen };
  }
  return body;
}

export function refundBody(refund: SimRefund): RefundBody {
  const body: RefundBody = {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    create_time: beijingTime(refund.createTime),
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: refund.totalFen,
      refund: refund.refundFen,
      payer_total: refund.totalFen,
      payer_refund: refund.refundFen,
      settlement_total: refund.totalFen,
      settlement_refund: refund.refundFen,
      discount_refund: 0,
      currency: 'CNY',
    },
  };
  if (refund.successTime) body.success_time = beijingTime(refund.successTime);
  return body;
}

export function refundResourceBody(refund: SimRefund, mchid: string): RefundResourceBody {
  const body: RefundResourceBody = {
    mchid,
    out_trade_no: refund.outTradeNo,
    transaction_id: refund.transactionId,
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_status: refund.status,
    user_received_account: '支付用户零钱',
    amount: { total: refund.totalFen, refund: refund.refundFen, payer_total: refund.totalFen, payer_refund: refund.refundFen },
  };
  if (refund.successTime) body.success_time = beijingTime(refund.successTime);
  return body;
}
