/**
 * The lives of the records around an application — a payment attempt, a refund, a certificate —
 * each as its own small rules table, like the application's transition(): which event moves a
 * record from which statuses to which. Each module writes a status only through its one writer,
 * which asks here first and then compares-and-swaps the row (so two writers racing cannot both win).
 */
import { AppError } from './errors.ts';
import { paymentStatusLabels, type PaymentStatus } from './payment.ts';

interface Rule<S extends string> {
  from: readonly S[];
  to: S;
  label: string;
}

/** The record's next status, or the refusal in the words staff read: 该笔支付为“已支付”，不能驳回. */
function decide<S extends string, E extends string>(
  table: { rules: Record<E, Rule<S>>; labels: Record<S, string>; noun: string; code: string },
  status: S,
  event: E,
): S {
  const rule = table.rules[event];
  if (!rule.from.includes(status)) throw new AppError(table.code, `该${table.noun}为“${table.labels[status]}”，不能${rule.label}`, 409);
  return rule.to;
}

// ── payments (one attempt to pay: a bank transfer with its code, or a WeChat Pay order) ──
export const paymentRules = {
  /** 上传凭证 + 确定提交. */
  submit_voucher: { from: ['open'], to: 'submitted', label: '提交凭证' },
  /** 财务 确认到账, by hand or by the statement. */
  confirm: { from: ['submitted'], to: 'paid', label: '确认到账' },
  /** 财务 驳回: the applicant pays again with a new code. */
  reject: { from: ['submitted'], to: 'rejected', label: '驳回' },
  /** WeChat Pay says SUCCESS for an order of a payable application (a late notify for a closed order too). */
  settle: { from: ['open', 'closed'], to: 'paid', label: '确认支付成功' },
  /** WeChat Pay says SUCCESS but the application was paid already: the money is kept for a refund. */
  mark_duplicate: { from: ['open', 'closed'], to: 'duplicate', label: '记为重复支付' },
  /** The QR code expired, or a new attempt replaced it. */
  close: { from: ['open'], to: 'closed', label: '关闭' },
  /** The money went back (WeChat Pay accepted the refund, or 财务 sent it). */
  refund: { from: ['paid', 'duplicate'], to: 'refunded', label: '退款' },
} as const satisfies Record<string, Rule<PaymentStatus>>;
export type PaymentEvent = keyof typeof paymentRules;

export function paymentTransition(status: PaymentStatus, event: PaymentEvent): PaymentStatus {
  return decide({ rules: paymentRules, labels: paymentStatusLabels, noun: '笔支付', code: 'PAYMENT_STATUS' }, status, event);
}

// ── refunds ──
export const refundStatusLabels = { pending: '待退款', processing: '退款中', succeeded: '已退款', failed: '退款失败' } as const;
export type RefundStatus = keyof typeof refundStatusLabels;

export const refundRules = {
  /** WeChat Pay took the refund and is processing it. */
  accept: { from: ['pending', 'failed', 'processing'], to: 'processing', label: '提交退款' },
  /** The money is back (WeChat Pay's SUCCESS, or 财务's 已退款 for a bank transfer). Never stepped back from. */
  succeed: { from: ['pending', 'processing', 'failed'], to: 'succeeded', label: '完成退款' },
  /** WeChat Pay refused or failed it: it may be sent again. */
  fail: { from: ['pending', 'processing', 'failed'], to: 'failed', label: '记为退款失败' },
} as const satisfies Record<string, Rule<RefundStatus>>;
export type RefundEvent = keyof typeof refundRules;

export function refundTransition(status: RefundStatus, event: RefundEvent): RefundStatus {
  return decide({ rules: refundRules, labels: refundStatusLabels, noun: '笔退款', code: 'REFUND_STATUS' }, status, event);
}

/** A refund's event from WeChat Pay's answer (SUCCESS, PROCESSING, anything else). */
export function refundEventOf(providerStatus: string): RefundEvent {
  return providerStatus === 'SUCCESS' ? 'succeed' : providerStatus === 'PROCESSING' ? 'accept' : 'fail';
}

/** Whether `event` may happen to a refund now (a notify arriving after success changes nothing). */
export function refundMay(status: RefundStatus, event: RefundEvent): boolean {
  return (refundRules[event].from as readonly RefundStatus[]).includes(status);
}

// ── certificates ──
export const certificateStatusLabels = { valid: '有效', revoked: '已吊销' } as const;
export type CertificateStatus = keyof typeof certificateStatusLabels;

export const certificateRules = {
  revoke: { from: ['valid'], to: 'revoked', label: '吊销' },
} as const satisfies Record<string, Rule<CertificateStatus>>;
export type CertificateEvent = keyof typeof certificateRules;

export function certificateTransition(status: CertificateStatus, event: CertificateEvent): CertificateStatus {
  return decide({ rules: certificateRules, labels: certificateStatusLabels, noun: '张证书', code: 'CERTIFICATE_STATUS' }, status, event);
}
