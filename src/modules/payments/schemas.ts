/**
 * payments' answers (the applicant's 支付, WeChat Pay's notify, 财务's console), as zod schemas:
 * see src/http/contract.ts.
 */
import { z } from 'zod';
import { paymentMethodLabels, paymentStatusLabels, type PaymentMethod, type PaymentStatus } from '../../domain/payment.ts';
import { applicationStatus, statusChange } from '../applications/schemas.ts';

const paymentMethod = z.enum(Object.keys(paymentMethodLabels) as [PaymentMethod, ...PaymentMethod[]]);
const paymentStatus = z.enum(Object.keys(paymentStatusLabels) as [PaymentStatus, ...PaymentStatus[]]);

/** One payment attempt: a bank transfer (with its remittance code) or a WeChat Pay order. */
export const paymentView = z.object({
  id: z.string(),
  method: paymentMethod,
  methodLabel: z.string(),
  status: paymentStatus,
  statusLabel: z.string(),
  amount: z.string(),
  amountFen: z.number(),
  remittanceCode: z.string().nullable(),
  note: z.string().nullable(),
  rejectReason: z.string().nullable(),
  hasVoucher: z.boolean(),
  outTradeNo: z.string().nullable(),
  expiresAt: z.string().nullable(),
  paidAt: z.string().nullable(),
  createdAt: z.string(),
});
export type PaymentView = z.infer<typeof paymentView>;

/** The CA's account to remit to, with this attempt's remittance code (null before 确认支付). */
export const bankDetails = z.object({
  accountName: z.string(),
  bankName: z.string(),
  accountNumber: z.string(),
  remittanceCode: z.string().nullable(),
});
export type BankDetails = z.infer<typeof bankDetails>;

export const paymentOverview = z.object({
  number: z.string(),
  status: applicationStatus,
  statusLabel: z.string(),
  amount: z.string(),
  payable: z.boolean(),
  bank: bankDetails,
  current: paymentView.nullable(),
});
export type PaymentOverview = z.infer<typeof paymentOverview>;

export const bankChosen = z.object({ bank: bankDetails, payment: paymentView });
export type BankChosen = z.infer<typeof bankChosen>;

export const voucherSubmitted = statusChange.extend({ payment: paymentView });
export type VoucherSubmitted = z.infer<typeof voucherSubmitted>;

/** 微信支付 → 确认支付: the Native order's QR code (and, with the simulator, a page that pays it). */
export const wechatOrder = z.object({
  payment: paymentView,
  codeUrl: z.string().nullable(),
  qrDataUrl: z.string().nullable(),
  payPageUrl: z.string().nullable(),
});
export type WechatOrder = z.infer<typeof wechatOrder>;

export const wechatStatus = statusChange.extend({ paid: z.boolean(), payment: paymentView.nullable() });
export type WechatStatus = z.infer<typeof wechatStatus>;

const refundStatus = z.enum(['pending', 'processing', 'succeeded', 'failed']);
export const refundRequested = statusChange.extend({ refundStatus });
export type RefundRequested = z.infer<typeof refundRequested>;

/** What WeChat Pay reads from a notify answer it should retry (its protocol, not our envelope). */
export const wechatNotifyRefusal = z.object({ code: z.string(), message: z.string() });

export const financeQueueItem = paymentView.extend({ applicationId: z.string(), number: z.string(), orgName: z.string().nullable() });
export type FinanceQueueItem = z.infer<typeof financeQueueItem>;
export const financeQueue = z.object({ items: z.array(financeQueueItem) });

export const refundItem = z.object({
  id: z.string(),
  applicationId: z.string(),
  number: z.string(),
  orgName: z.string().nullable(),
  amount: z.string(),
  reason: z.string(),
  kind: z.enum(['cancel', 'duplicate']),
  status: refundStatus,
  createdAt: z.string(),
});
export type RefundItem = z.infer<typeof refundItem>;
export const refundList = z.object({ items: z.array(refundItem) });

export const statementLineResult = z.object({
  line: z.number(),
  date: z.string(),
  amount: z.string(),
  payer: z.string(),
  memo: z.string(),
  result: z.enum(['matched', 'amount_mismatch', 'no_code', 'unknown_code', 'duplicate_line', 'not_confirmed', 'error']),
  /** The application a line was matched to, if any. */
  number: z.string().nullable(),
});
export type StatementLineResult = z.infer<typeof statementLineResult>;
export const statementImported = z.object({ lines: z.array(statementLineResult), matched: z.number() });
export type StatementImported = z.infer<typeof statementImported>;
