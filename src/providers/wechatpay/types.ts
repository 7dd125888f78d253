/**
 * WeChat Pay as CertDesk sees it: Native (QR code) orders, their state, closing, refunds, and the
 * notifications WeChat Pay posts back. Real adapter: WeChat Pay API v3 (client.ts). Simulator: the
 * same HTTP API on loopback with its own keys and a page that plays the payer's phone (simulator.ts).
 * Money is integer fen throughout; times are Date instants (the wire carries RFC 3339 at +08:00).
 */

export const tradeStates = ['SUCCESS', 'NOTPAY', 'CLOSED', 'REFUND', 'USERPAYING', 'PAYERROR', 'REVOKED'] as const;
export type TradeState = (typeof tradeStates)[number];

export const refundStatuses = ['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL'] as const;
export type RefundStatus = (typeof refundStatuses)[number];

export interface NativeOrderRequest {
  /** Ours, unique per attempt: 6–32 characters of [A-Za-z0-9_-|*]. */
  outTradeNo: string;
  /** What the payer sees on the phone, at most 127 characters. */
  description: string;
  amountFen: number;
  /** After this the QR code can no longer be paid. */
  timeExpire: Date;
  /** Where WeChat Pay posts the result; https and without a query string at the real gateway. */
  notifyUrl: string;
  /** Echoed back in queries and notifications, at most 128 characters. */
  attach?: string;
}

export interface NativeOrder {
  /** weixin://wxpay/bizpayurl?pr=…, to be shown as a QR code. */
  codeUrl: string;
}

export interface WechatTransaction {
  mchid: string;
  appid: string;
  outTradeNo: string;
  tradeState: TradeState;
  tradeStateDesc?: string;
  /** WeChat Pay's own number, present once the payer has paid. */
  transactionId?: string;
  /** The order's amount. */
  amountFen?: number;
  /** What the payer actually paid (less than amountFen when a coupon paid part). */
  payerTotalFen?: number;
  successTime?: Date;
  attach?: string;
  payerOpenid?: string;
}

export interface RefundRequest {
  outTradeNo: string;
  /** Ours, unique per refund: 1–64 characters of [A-Za-z0-9_-|*@]. */
  outRefundNo: string;
  refundFen: number;
  /** The original order's amount; WeChat Pay checks it. */
  totalFen: number;
  /** Shown to the payer in the refund message, at most 80 characters. */
  reason: string;
  notifyUrl?: string;
}

export interface WechatRefund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  status: RefundStatus;
  refundFen: number;
  totalFen: number;
  payerRefundFen?: number;
  successTime?: Date;
  createTime?: Date;
  /** e.g. 支付用户零钱, 招商银行信用卡0403. */
  userReceivedAccount?: string;
}

/** A notification as posted by WeChat Pay, verified and decrypted. */
export type WechatNotification =
  | { kind: 'transaction'; id: string; createTime: Date; eventType: string; transaction: WechatTransaction }
  | { kind: 'refund'; id: string; createTime: Date; eventType: string; refund: WechatRefund };

export interface NotifyInput {
  /** As the HTTP server received them (Node lower-cases the names). */
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received: the signature covers these bytes, not a re-serialised object. */
  rawBody: string | Buffer;
}

/** The HTTP answer WeChat Pay expects from a notify endpoint. */
export interface NotifyAnswer {
  status: number;
  /** Undefined: send no body at all. */
  body?: { code: string; message: string };
}

/** Received and applied: 204 with no body (200 with no body is accepted too). */
export const NOTIFY_ACCEPTED: NotifyAnswer = { status: 204 };

/**
 * Not accepted: any 4xx or 5xx with {code, message}; WeChat Pay then retries for about 24 hours
 * (15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h).
 */
export function notifyRefused(status: number, message: string): NotifyAnswer {
  return { status, body: { code: 'FAIL', message } };
}

/** Thrown for refusals and failures talking to WeChat Pay; `retryable` says whether trying again can help. */
export class WechatPayError extends Error {
  constructor(
    message: string,
    /** WeChat Pay's code (ORDERPAID, SYSTEM_ERROR …) or ours: Timeout, NetworkError, HttpStatus.<n>, BadSignature, BadAnswer. */
    readonly gatewayCode: string,
    readonly retryable: boolean,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'WechatPayError';
  }
}

export const notifyRejections = [
  /** No or a wrong signature, an unknown serial, a signature-test probe. */
  'forged',
  /** Wechatpay-Timestamp more than 5 minutes from our clock. */
  'stale',
  /** The resource does not decrypt (wrong APIv3 key, altered ciphertext). */
  'undecryptable',
  /** Decrypts, but for another merchant or app. */
  'wrong_merchant',
  /** Not the shape WeChat Pay sends. */
  'malformed',
] as const;
export type NotifyRejection = (typeof notifyRejections)[number];

/** Thrown by parseNotify; `answer` is what to send back so WeChat Pay tries again. */
export class WechatNotifyError extends Error {
  readonly answer: NotifyAnswer;

  constructor(
    message: string,
    readonly reason: NotifyRejection,
  ) {
    super(message);
    this.name = 'WechatNotifyError';
    this.answer = notifyRefused(reason === 'forged' || reason === 'stale' ? 401 : 400, '通知验证失败');
  }
}

export interface WechatPayProvider {
  createNativeOrder(order: NativeOrderRequest): Promise<NativeOrder>;
  queryOrder(outTradeNo: string): Promise<WechatTransaction>;
  /** Idempotent; refused with ORDERPAID once the order has been paid. */
  closeOrder(outTradeNo: string): Promise<void>;
  refund(request: RefundRequest): Promise<WechatRefund>;
  queryRefund(outRefundNo: string): Promise<WechatRefund>;
  /** Verifies and decrypts one notification; throws WechatNotifyError. Deduplication is the caller's. */
  parseNotify(input: NotifyInput): Promise<WechatNotification>;
}
