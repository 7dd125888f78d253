/**
 * The real WeChat Pay adapter: API v3 for a direct merchant (普通商户), Native payments and
 * refunds. Every request is signed with the merchant's API certificate key; every successful answer
 * must carry a valid platform signature (platform certificate or 微信支付公钥 PUB_KEY_ID_…) before
 * it is believed. Failures become WechatPayError with a retryable flag for the caller's retry policy.
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { parseJson } from '../aliyun/rpc-client.ts';
import { openNotification } from './notify.ts';
import {
  PATHS,
  closeRequestSchema,
  errorBodySchema,
  isRetryable,
  nativeAnswerSchema,
  nativeRequestSchema,
  refundRequestSchema,
  refundSchema,
  toRefund,
  toTransaction,
  transactionSchema,
} from './protocol.ts';
import {
  authorizationHeader,
  beijingTime,
  checkPlatformSignature,
  privateKeyFromPem,
  publicKeyFromPem,
  randomNonce,
  requestSigningMessage,
  rsaSign,
  unixSeconds,
} from './signing.ts';
import {
  WechatPayError,
  type NativeOrder,
  type NativeOrderRequest,
  type NotifyInput,
  type RefundRequest,
  type WechatNotification,
  type WechatPayProvider,
  type WechatRefund,
  type WechatTransaction,
} from './types.ts';

export const WECHATPAY_BASE_URL = 'https://api.mch.weixin.qq.com';

export interface WechatPayConfig {
  /** https://api.mch.weixin.qq.com (or api2 for the other region); the simulator's URL in demo mode. */
  baseUrl?: string;
  mchid: string;
  appid: string;
  /** Serial number of the merchant API certificate whose key signs our requests. */
  merchantSerialNo: string;
  merchantPrivateKeyPem: string;
  /** Serial (platform certificate serial, or PUB_KEY_ID_… for 微信支付公钥) → public key or certificate PEM. */
  platformPublicKeys: Record<string, string>;
  /** The 32-byte APIv3 key set in the merchant platform; decrypts notifications. */
  apiV3Key: string;
  timeoutMs?: number;
  now?: () => Date;
  nonce?: () => string;
}

const configSchema = z.object({
  baseUrl: z.url().optional(),
  mchid: z.string().min(1),
  appid: z.string().min(1),
  merchantSerialNo: z.string().min(1),
  merchantPrivateKeyPem: z.string().includes('PRIVATE KEY'),
  platformPublicKeys: z.record(z.string(), z.string()).refine((keys) => Object.keys(keys).length > 0, '至少需要一个微信支付平台公钥'),
  apiV3Key: z.string().refine((k) => Buffer.byteLength(k, 'utf8') === 32, 'APIv3 密钥必须为 32 字节'),
});

interface Answer {
  status: number;
  text: string;
}

export class WechatPayV3Client implements WechatPayProvider {
  private readonly baseUrl: string;
  private readonly privateKey: KeyObject;
  private readonly platformKeys: ReadonlyMap<string, KeyObject>;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  private readonly nonce: () => string;

  constructor(private readonly config: WechatPayConfig) {
    const checked = configSchema.safeParse(config);
    if (!checked.success) throw new Error(`WeChat Pay configuration: ${checked.error.issues.map((i) => i.message).join('; ')}`);
    this.baseUrl = (config.baseUrl ?? WECHATPAY_BASE_URL).replace(/\/+$/, '');
    this.privateKey = privateKeyFromPem(config.merchantPrivateKeyPem);
    this.platformKeys = new Map(Object.entries(config.platformPublicKeys).map(([serial, pem]) => [serial, publicKeyFromPem(pem)]));
    this.timeoutMs = config.timeoutMs ?? 10_000;
    this.now = config.now ?? (() => new Date());
    this.nonce = config.nonce ?? randomNonce;
  }

  async createNativeOrder(order: NativeOrderRequest): Promise<NativeOrder> {
    const body = this.validated(nativeRequestSchema, {
      appid: this.config.appid,
      mchid: this.config.mchid,
      description: order.description,
      out_trade_no: order.outTradeNo,
      time_expire: beijingTime(order.timeExpire),
      notify_url: order.notifyUrl,
      amount: { total: order.amountFen, currency: 'CNY' },
      ...(order.attach === undefined ? {} : { attach: order.attach }),
    });
    const answer = await this.call('POST', PATHS.native, body);
    return { codeUrl: this.parsed(nativeAnswerSchema, answer, 'native').code_url };
  }

  async queryOrder(outTradeNo: string): Promise<WechatTransaction> {
    const answer = await this.call('GET', `${PATHS.order(outTradeNo)}?mchid=${encodeURIComponent(this.config.mchid)}`);
    const transaction = toTransaction(this.parsed(transactionSchema, answer, 'query'));
    if (transaction.outTradeNo !== outTradeNo || transaction.mchid !== this.config.mchid) {
      throw new WechatPayError(`query answered for another order (${transaction.outTradeNo})`, 'BadAnswer', false, answer.status);
    }
    return transaction;
  }

  async closeOrder(outTradeNo: string): Promise<void> {
    await this.call('POST', PATHS.close(outTradeNo), this.validated(closeRequestSchema, { mchid: this.config.mchid }));
  }

  async refund(request: RefundRequest): Promise<WechatRefund> {
    const body = this.validated(refundRequestSchema, {
      out_trade_no: request.outTradeNo,
      out_refund_no: request.outRefundNo,
      reason: request.reason,
      amount: { refund: request.refundFen, total: request.totalFen, currency: 'CNY' },
      ...(request.notifyUrl === undefined ? {} : { notify_url: request.notifyUrl }),
    });
    const answer = await this.call('POST', PATHS.refunds, body);
    return toRefund(this.parsed(refundSchema, answer, 'refund'));
  }

  async queryRefund(outRefundNo: string): Promise<WechatRefund> {
    const answer = await this.call('GET', PATHS.refund(outRefundNo));
    const refund = toRefund(this.parsed(refundSchema, answer, 'refund query'));
    if (refund.outRefundNo !== outRefundNo) {
      throw new WechatPayError(`refund query answered for another refund (${refund.outRefundNo})`, 'BadAnswer', false, answer.status);
    }
    return refund;
  }

  async parseNotify(input: NotifyInput): Promise<WechatNotification> {
    return openNotification(input, {
      platformKeys: this.platformKeys,
      apiV3Key: this.config.apiV3Key,
      mchid: this.config.mchid,
      appid: this.config.appid,
      now: this.now(),
    });
  }

  /** Our own request checked before it leaves: WeChat Pay would refuse it with PARAM_ERROR anyway. */
  private validated<T>(schema: z.ZodType<T>, body: unknown): T {
    const result = schema.safeParse(body);
    if (!result.success) {
      const fields = result.error.issues.map((i) => i.path.join('.')).join(', ');
      throw new WechatPayError(`request refused locally: invalid ${fields}`, 'PARAM_ERROR', false);
    }
    return result.data;
  }

  private parsed<T>(schema: z.ZodType<T>, answer: Answer, what: string): T {
    const result = schema.safeParse(parseJson(answer.text));
    if (!result.success) {
      throw new WechatPayError(`${what} answered HTTP ${answer.status} with an unexpected body`, 'BadAnswer', false, answer.status);
    }
    return result.data;
  }

  /** One signed call; resolves only with a 2xx answer whose platform signature verifies. */
  private async call(method: 'GET' | 'POST', pathAndQuery: string, body?: unknown): Promise<Answer & { headers: Headers }> {
    const url = `${this.baseUrl}${pathAndQuery}`;
    const bodyText = body === undefined ? '' : JSON.stringify(body);
    const timestamp = unixSeconds(this.now());
    const nonce = this.nonce();
    // The signed URL is what the server sees: the base URL's own path (the simulator's prefix) included.
    const { pathname, search } = new URL(url);
    const signature = rsaSign(requestSigningMessage(method, `${pathname}${search}`, timestamp, nonce, bodyText), this.privateKey);
    const headers: Record<string, string> = {
      Authorization: authorizationHeader({
        mchid: this.config.mchid,
        nonce_str: nonce,
        signature,
        timestamp,
        serial_no: this.config.merchantSerialNo,
      }),
      Accept: 'application/json',
      // WeChat Pay refuses requests without a User-Agent.
      'User-Agent': 'CertDesk/0.1 (WeChatPay-APIv3; Node.js)',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    let res: Response;
    let text: string;
    try {
      // The signal also covers reading the body, so a gateway that stalls mid-answer cannot hold us.
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : bodyText, signal: AbortSignal.timeout(this.timeoutMs) });
      text = await res.text();
    } catch (err) {
      if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
        throw new WechatPayError(`${method} ${pathAndQuery} timed out after ${this.timeoutMs} ms`, 'Timeout', true);
      }
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
      const detail = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : 'fetch failed';
      throw new WechatPayError(`${method} ${pathAndQuery} network error: ${detail}`, 'NetworkError', true);
    }

    if (res.status < 200 || res.status > 299) throw this.refusal(method, pathAndQuery, res, text);
    const check = checkPlatformSignature(Object.fromEntries(res.headers), text, this.platformKeys, this.now());
    if (!check.ok) {
      // Not retryable: an unknown serial or a forged answer needs a person (new platform key, or an attack).
      throw new WechatPayError(`${method} ${pathAndQuery}: answer refused, ${check.detail}`, 'BadSignature', false, res.status);
    }
    return { status: res.status, text, headers: res.headers };
  }

  /**
   * Error answers are mapped without requiring their signature: a forged one can only make us fail,
   * and WeChat Pay's gateway does not sign every refusal (a 401 before authentication, for one).
   */
  private refusal(method: string, pathAndQuery: string, res: Response, text: string): WechatPayError {
    const parsed = errorBodySchema.safeParse(parseJson(text));
    const requestId = res.headers.get('request-id') ?? '-';
    if (!parsed.success) {
      return new WechatPayError(
        `${method} ${pathAndQuery} answered HTTP ${res.status} without a WeChat Pay body; Request-ID ${requestId}`,
        `HttpStatus.${res.status}`,
        res.status >= 500 || res.status === 429,
        res.status,
      );
    }
    const { code, message } = parsed.data;
    const why = message.length > 200 ? `${message.slice(0, 200)}…` : message;
    return new WechatPayError(
      `${method} ${pathAndQuery} refused: ${code} (${why}); HTTP ${res.status}; Request-ID ${requestId}`,
      code,
      isRetryable(code, res.status),
      res.status,
    );
  }
}
