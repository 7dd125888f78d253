/**
 * The JSON WeChat Pay API v3 exchanges for Native payments and refunds, as zod schemas, shared by
 * the adapter (which parses answers and notifications with them) and the simulator (which parses
 * requests with them), so the two cannot drift apart. Also the mapping from wire to CertDesk types.
 */
import { z } from 'zod';
import { refundStatuses, tradeStates, type WechatRefund, type WechatTransaction } from './types.ts';

export const PATHS = {
  native: '/v3/pay/transactions/native',
  order: (outTradeNo: string) => `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}`,
  close: (outTradeNo: string) => `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`,
  refunds: '/v3/refund/domestic/refunds',
  refund: (outRefundNo: string) => `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`,
} as const;

export const OUT_TRADE_NO = /^[A-Za-z0-9_\-|*]{6,32}$/;
export const OUT_REFUND_NO = /^[A-Za-z0-9_\-|*@]{1,64}$/;
/** yyyy-MM-ddTHH:mm:ss+08:00 (any offset), as WeChat Pay documents time_expire. */
const RFC3339 = z.iso.datetime({ offset: true });
const fen = z.number().int().positive();
/** WeChat Pay posts to it as given: no query string allowed (https only at the real gateway; the simulator takes http on loopback). */
const notifyUrl = (max: number) =>
  z.url({ protocol: /^https?$/ }).max(max).refine((url) => !url.includes('?'), 'notify_url 不能携带参数');

export const errorBodySchema = z.object({
  code: z.string().min(1),
  message: z.string().default(''),
  detail: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const nativeRequestSchema = z.object({
  appid: z.string().min(1).max(32),
  mchid: z.string().min(1).max(32),
  description: z.string().min(1).max(127),
  out_trade_no: z.string().regex(OUT_TRADE_NO),
  time_expire: RFC3339.optional(),
  attach: z.string().max(128).optional(),
  notify_url: notifyUrl(255),
  goods_tag: z.string().max(32).optional(),
  support_fapiao: z.boolean().optional(),
  amount: z.object({ total: fen, currency: z.literal('CNY').default('CNY') }),
});
export type NativeRequestBody = z.input<typeof nativeRequestSchema>;

export const nativeAnswerSchema = z.object({ code_url: z.string().startsWith('weixin://') });

export const closeRequestSchema = z.object({ mchid: z.string().min(1).max(32) });

/** The order as the query answers it and as TRANSACTION.* notifications carry it. */
export const transactionSchema = z.object({
  appid: z.string(),
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string().optional(),
  trade_type: z.string().optional(),
  trade_state: z.enum(tradeStates),
  trade_state_desc: z.string().optional(),
  bank_type: z.string().optional(),
  attach: z.string().optional(),
  success_time: RFC3339.optional(),
  payer: z.object({ openid: z.string().optional() }).optional(),
  amount: z
    .object({
      total: z.number().int().optional(),
      payer_total: z.number().int().optional(),
      currency: z.string().optional(),
      payer_currency: z.string().optional(),
    })
    .optional(),
});
export type TransactionBody = z.infer<typeof transactionSchema>;

export const refundRequestSchema = z
  .object({
    transaction_id: z.string().min(1).max(32).optional(),
    out_trade_no: z.string().regex(OUT_TRADE_NO).optional(),
    out_refund_no: z.string().regex(OUT_REFUND_NO),
    reason: z.string().max(80).optional(),
    notify_url: notifyUrl(256).optional(),
    funds_account: z.string().optional(),
    amount: z.object({ refund: fen, total: fen, currency: z.literal('CNY') }),
  })
  .refine((r) => r.transaction_id !== undefined || r.out_trade_no !== undefined, {
    message: 'transaction_id 与 out_trade_no 必填其一',
  });
export type RefundRequestBody = z.input<typeof refundRequestSchema>;

/** The refund as the create and query answers carry it. */
export const refundSchema = z.object({
  refund_id: z.string(),
  out_refund_no: z.string(),
  transaction_id: z.string(),
  out_trade_no: z.string(),
  channel: z.string().optional(),
  user_received_account: z.string().optional(),
  success_time: RFC3339.optional(),
  create_time: RFC3339.optional(),
  status: z.enum(refundStatuses),
  funds_account: z.string().optional(),
  amount: z.object({
    total: z.number().int(),
    refund: z.number().int(),
    payer_total: z.number().int().optional(),
    payer_refund: z.number().int().optional(),
    settlement_refund: z.number().int().optional(),
    settlement_total: z.number().int().optional(),
    discount_refund: z.number().int().optional(),
    currency: z.string().optional(),
  }),
});
export type RefundBody = z.infer<typeof refundSchema>;

/** The refund as REFUND.* notifications carry it: refund_status, not status, and no appid. */
export const refundResourceSchema = z.object({
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string(),
  out_refund_no: z.string(),
  refund_id: z.string(),
  refund_status: z.enum(refundStatuses),
  success_time: RFC3339.optional(),
  user_received_account: z.string().optional(),
  amount: z.object({
    total: z.number().int(),
    refund: z.number().int(),
    payer_total: z.number().int().optional(),
    payer_refund: z.number().int().optional(),
  }),
});
export type RefundResourceBody = z.infer<typeof refundResourceSchema>;

export const notifyEnvelopeSchema = z.object({
  id: z.string().min(1),
  create_time: RFC3339,
  event_type: z.string().min(1),
  resource_type: z.literal('encrypt-resource'),
  summary: z.string().optional(),
  resource: z.object({
    algorithm: z.literal('AEAD_AES_256_GCM'),
    ciphertext: z.string().min(1),
    associated_data: z.string().default(''),
    nonce: z.string().min(1),
    original_type: z.enum(['transaction', 'refund']),
  }),
});
export type NotifyEnvelope = z.input<typeof notifyEnvelopeSchema>;

/**
 * Codes after which the same request may succeed later. Everything else WeChat Pay answers with a
 * 4xx is permanent (a parameter, a state or a permission problem); unknown codes on a 5xx retry.
 */
const RETRYABLE_CODES = new Set(['SYSTEM_ERROR', 'SYSTEMERROR', 'FREQUENCY_LIMITED', 'BANK_ERROR', 'BANKERROR']);

export function isRetryable(code: string, httpStatus: number): boolean {
  return RETRYABLE_CODES.has(code) || httpStatus >= 500 || httpStatus === 429;
}

function date(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}

export function toTransaction(body: TransactionBody): WechatTransaction {
  const t: WechatTransaction = {
    mchid: body.mchid,
    appid: body.appid,
    outTradeNo: body.out_trade_no,
    tradeState: body.trade_state,
  };
  if (body.trade_state_desc !== undefined) t.tradeStateDesc = body.trade_state_desc;
  if (body.transaction_id) t.transactionId = body.transaction_id;
  if (body.amount?.total !== undefined) t.amountFen = body.amount.total;
  if (body.amount?.payer_total !== undefined) t.payerTotalFen = body.amount.payer_total;
  const successTime = date(body.success_time);
  if (successTime) t.successTime = successTime;
  if (body.attach) t.attach = body.attach;
  if (body.payer?.openid) t.payerOpenid = body.payer.openid;
  return t;
}

export function toRefund(body: RefundBody): WechatRefund {
  return withOptionalRefundFields(
    {
      refundId: body.refund_id,
      outRefundNo: body.out_refund_no,
      outTradeNo: body.out_trade_no,
      transactionId: body.transaction_id,
      status: body.status,
      refundFen: body.amount.refund,
      totalFen: body.amount.total,
    },
    body.amount.payer_refund,
    body.success_time,
    body.create_time,
    body.user_received_account,
  );
}

export function refundFromResource(body: RefundResourceBody): WechatRefund {
  return withOptionalRefundFields(
    {
      refundId: body.refund_id,
      outRefundNo: body.out_refund_no,
      outTradeNo: body.out_trade_no,
      transactionId: body.transaction_id,
      status: body.refund_status,
      refundFen: body.amount.refund,
      totalFen: body.amount.total,
    },
    body.amount.payer_refund,
    body.success_time,
    undefined,
    body.user_received_account,
  );
}

function withOptionalRefundFields(
  refund: WechatRefund,
  payerRefund: number | undefined,
  successTime: string | undefined,
  createTime: string | undefined,
  account: string | undefined,
): WechatRefund {
  if (payerRefund !== undefined) refund.payerRefundFen = payerRefund;
  const success = date(successTime);
  if (success) refund.successTime = success;
  const created = date(createTime);
  if (created) refund.createTime = created;
  if (account) refund.userReceivedAccount = account;
  return refund;
}
