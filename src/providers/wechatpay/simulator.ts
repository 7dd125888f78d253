/**
 * A loopback stand-in for WeChat Pay API v3, so demos and tests run the real adapter end to end:
 * the same paths and JSON, the merchant's WECHATPAY2-SHA256-RSA2048 signature checked (401
 * SIGN_ERROR otherwise), every answer signed with the simulator's platform key, signed and
 * encrypted notifications, and a page that plays the payer's phone. Mount it under a prefix such as
 * /sim/wechatpay; the adapter's baseUrl is then http://127.0.0.1:<port>/sim/wechatpay.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { acceptFormBodies } from '../aliyun/gateway-sim.ts';
import { parseJson } from '../aliyun/rpc-client.ts';
import { DEFAULT_SIMULATOR_PREFIX, renderPayPage } from './pay-page.ts';
import { PATHS, closeRequestSchema, nativeRequestSchema, refundRequestSchema } from './protocol.ts';
import {
  isRefusal,
  refundBody,
  refundResourceBody,
  refusal,
  SimLedger,
  transactionBody,
  unpayable,
  type Refusal,
  type SimOrder,
} from './sim-ledger.ts';
import { NotifyFaultSwitch, SimNotifier, type NotifyDelivery } from './sim-notifier.ts';
import {
  MAX_CLOCK_SKEW_MS,
  generateRsaKeyPair,
  headerValue,
  parseAuthorization,
  privateKeyFromPem,
  publicKeyFromPem,
  requestSigningMessage,
  rsaVerify,
  signAsPlatform,
  wechatpayHeaders,
} from './signing.ts';

export interface WechatPaySimulatorOptions {
  mchid: string;
  appid: string;
  /** 收款方 as the payer's phone shows it. */
  merchantName: string;
  /** Merchant API certificate serial → its public key (or certificate) PEM. */
  merchantPublicKeys: Record<string, string>;
  apiV3Key: string;
  /** The key the simulator signs with; generated at start when left out. */
  platformKey?: { serial: string; privateKeyPem: string };
  now?: () => Date;
  /** Between attempts of a notification that was not answered 2xx; default 15s, 15s, 30s, 3m. */
  notifyRetryDelaysMs?: number[];
  /** How long a refund stays PROCESSING; default 2 s. */
  refundDelayMs?: number;
  /** Where the plugin is mounted, for the pay page's form; default /sim/wechatpay. */
  prefix?: string;
}

export interface WechatPaySimControls {
  /** Faults for the next notifications, one each: delay, drop, or a forgery sent instead. */
  notifyFaults: NotifyFaultSwitch;
  /** The payer confirms on the phone; resolves once the notification is delivered or given up. */
  pay(outTradeNo: string): Promise<NotifyDelivery>;
  /** Sends a notification again (the last by default), same id, freshly signed. */
  replay(id?: string): Promise<NotifyDelivery>;
  deliveries(): NotifyDelivery[];
  /** The next API answer's body is altered after it was signed, as a man in the middle would. */
  alterNextAnswer(): void;
  /** Waits for refunds to finish and notifications in flight, for tests. */
  settled(): Promise<void>;
}

export interface WechatPaySimulator {
  plugin: FastifyPluginAsync;
  controls: WechatPaySimControls;
  /** Serial → PEM: what the adapter needs as platformPublicKeys. */
  platformPublicKeys: Record<string, string>;
}

/** Thrown by controls.pay when the simulated phone could not pay. */
export class SimulatedPaymentRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super(`${refusal.code}: ${refusal.message}`);
    this.name = 'SimulatedPaymentRefused';
  }
}

type Answer = { status: number; body?: unknown };

function answerOf(result: Refusal): Answer {
  return { status: result.status, body: { code: result.code, message: result.message } };
}

function parseBody<T>(schema: z.ZodType<T>, raw: string): T | Refusal {
  const json = parseJson(raw);
  if (json === undefined) return refusal(400, 'INVALID_REQUEST', '请求体不是合法的 JSON');
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return refusal(400, 'PARAM_ERROR', `参数错误：${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
}

export function createWechatPaySimulator(opts: WechatPaySimulatorOptions): WechatPaySimulator {
  const now = opts.now ?? (() => new Date());
  const platformPem = opts.platformKey ?? { serial: `PUB_KEY_ID_${randomUUID().replaceAll('-', '').toUpperCase()}`, privateKeyPem: generateRsaKeyPair().privateKeyPem };
  const platform = { serial: platformPem.serial, privateKey: privateKeyFromPem(platformPem.privateKeyPem) };
  const platformPublicKeys = {
    [platform.serial]: publicKeyFromPem(platformPem.privateKeyPem).export({ type: 'spki', format: 'pem' }).toString(),
  };
  const merchantKeys = new Map<string, KeyObject>(Object.entries(opts.merchantPublicKeys).map(([s, pem]) => [s, publicKeyFromPem(pem)]));
  const prefix = opts.prefix ?? DEFAULT_SIMULATOR_PREFIX;
  const ledger = new SimLedger(opts.mchid, opts.appid);
  const notifyFaults = new NotifyFaultSwitch();
  // Closing the app stops refunds waiting to complete and notifications waiting to be retried.
  const stopping = new AbortController();
  const notifier = new SimNotifier({
    signal: stopping.signal,
    platform,
    apiV3Key: opts.apiV3Key,
    now,
    retryDelaysMs: opts.notifyRetryDelaysMs ?? [15_000, 15_000, 30_000, 180_000],
    faults: notifyFaults,
  });
  const pending = new Set<Promise<unknown>>();
  const usedNonces = new Map<string, number>();
  let alterNext = false;

  function track<T>(work: Promise<T>): Promise<T> {
    pending.add(work);
    void work.finally(() => pending.delete(work)).catch(() => undefined);
    return work;
  }

  function notifyPaid(order: SimOrder): Promise<NotifyDelivery> {
    return track(
      notifier.send({
        url: order.notifyUrl,
        eventType: 'TRANSACTION.SUCCESS',
        summary: '支付成功',
        originalType: 'transaction',
        resource: transactionBody(order),
        outTradeNo: order.outTradeNo,
      }),
    );
  }

  /** A refund stays PROCESSING for a moment, then succeeds and is notified if a notify_url was given. */
  function scheduleRefundCompletion(outRefundNo: string): void {
    void track(
      (async () => {
        await sleep(opts.refundDelayMs ?? 2_000, undefined, { signal: stopping.signal });
        const done = ledger.completeRefund(outRefundNo, now());
        if (done?.notifyUrl === undefined) return;
        await notifier.send({
          url: done.notifyUrl,
          eventType: 'REFUND.SUCCESS',
          summary: '退款成功',
          originalType: 'refund',
          resource: refundResourceBody(done, opts.mchid),
          outTradeNo: done.outTradeNo,
          outRefundNo: done.outRefundNo,
        });
      })(),
    );
  }

  /** WeChat Pay's gateway checks, in its order: scheme, merchant, certificate serial, time, nonce, signature. */
  function authenticate(request: FastifyRequest, raw: string): Refusal | undefined {
    const auth = parseAuthorization(headerValue(request.headers, 'authorization'));
    if (!auth) return refusal(401, 'SIGN_ERROR', 'Authorization 不合法');
    if (auth.mchid !== opts.mchid) return refusal(401, 'SIGN_ERROR', '商户号与证书不匹配');
    const key = merchantKeys.get(auth.serial_no);
    if (!key) return refusal(401, 'SIGN_ERROR', '商户证书序列号有误');
    const at = now().getTime();
    if (Math.abs(at - Number(auth.timestamp) * 1000) > MAX_CLOCK_SKEW_MS) return refusal(401, 'SIGN_ERROR', '请求时间戳已过期');
    const message = requestSigningMessage(request.method, request.url, auth.timestamp, auth.nonce_str, raw);
    if (!rsaVerify(message, auth.signature, key)) return refusal(401, 'SIGN_ERROR', '签名错误，验签失败');
    for (const [nonce, seenAt] of usedNonces) if (at - seenAt > MAX_CLOCK_SKEW_MS) usedNonces.delete(nonce);
    if (usedNonces.has(auth.nonce_str)) return refusal(401, 'SIGN_ERROR', '随机串重复，疑似重放请求');
    usedNonces.set(auth.nonce_str, at);
    return undefined;
  }

  function send(reply: FastifyReply, answer: Answer): FastifyReply {
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    const signed = signAsPlatform(text, platform, now());
    // Still valid JSON of the same shape, so only the signature can tell.
    const sent = alterNext ? text.replace(/^\{/, '{"tampered":true,') : text;
    alterNext = false;
    reply.headers({ ...wechatpayHeaders(signed), 'Request-ID': randomUUID().replaceAll('-', '').toUpperCase() });
    if (answer.status === 204) return reply.status(204).send();
    return reply.status(answer.status).type('application/json; charset=utf-8').send(sent);
  }

  /** Authenticated JSON API: every route gets the raw body (the signature covers its bytes). */
  function api(handle: (request: FastifyRequest, raw: string) => Answer) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const raw = typeof request.body === 'string' ? request.body : '';
      const denied = authenticate(request, raw);
      return send(reply, denied ? answerOf(denied) : handle(request, raw));
    };
  }

  const params = z.object({ no: z.string() });

  async function apiRoutes(app: FastifyInstance): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_r, body, done) => done(null, body));
    app.setErrorHandler((err, request, reply) => {
      const status = typeof err === 'object' && err && 'statusCode' in err ? Number(err.statusCode) : 500;
      if (status >= 400 && status < 500) return send(reply, answerOf(refusal(400, 'INVALID_REQUEST', '请求无法解析')));
      request.log.error({ err }, 'wechatpay simulator failed');
      return send(reply, answerOf(refusal(500, 'SYSTEM_ERROR', '系统错误')));
    });

    app.post(PATHS.native, api((_request, raw) => {
      const body = parseBody(nativeRequestSchema, raw);
      if (isRefusal(body)) return answerOf(body);
      const order = ledger.create(body, now());
      return isRefusal(order) ? answerOf(order) : { status: 200, body: { code_url: order.codeUrl } };
    }));

    app.get('/v3/pay/transactions/out-trade-no/:no', api((request) => {
      const mchid = z.object({ mchid: z.string().min(1) }).safeParse(request.query);
      if (!mchid.success) return answerOf(refusal(400, 'PARAM_ERROR', '缺少参数 mchid'));
      const order = ledger.query(params.parse(request.params).no, mchid.data.mchid, now());
      return isRefusal(order) ? answerOf(order) : { status: 200, body: transactionBody(order) };
    }));

    app.post('/v3/pay/transactions/out-trade-no/:no/close', api((request, raw) => {
      const body = parseBody(closeRequestSchema, raw);
      if (isRefusal(body)) return answerOf(body);
      const order = ledger.close(params.parse(request.params).no, body.mchid, now());
      return isRefusal(order) ? answerOf(order) : { status: 204 };
    }));

    app.post(PATHS.refunds, api((_request, raw) => {
      const body = parseBody(refundRequestSchema, raw);
      if (isRefusal(body)) return answerOf(body);
      const result = ledger.refund(body, now());
      if (isRefusal(result)) return answerOf(result);
      if (result.created) scheduleRefundCompletion(result.refund.outRefundNo);
      return { status: 200, body: refundBody(result.refund) };
    }));

    app.get('/v3/refund/domestic/refunds/:no', api((request) => {
      const refund = ledger.queryRefund(params.parse(request.params).no);
      return isRefusal(refund) ? answerOf(refund) : { status: 200, body: refundBody(refund) };
    }));
  }

  const codeUrlSchema = z.object({ code_url: z.string().min(1).max(256) });

  async function phoneRoutes(app: FastifyInstance): Promise<void> {
    acceptFormBodies(app);
    const html = (reply: FastifyReply, status: number, page: string) => reply.status(status).type('text/html; charset=utf-8').send(page);

    app.get('/pay', async (request, reply) => {
      const query = codeUrlSchema.safeParse(request.query);
      const order = query.success ? ledger.byCode(query.data.code_url, now()) : undefined;
      if (!query.success || !order) return html(reply, 404, renderPayPage({ kind: 'refused', message: '二维码无效' }));
      const refused = unpayable(order);
      if (refused) return html(reply, 409, renderPayPage({ kind: 'refused', message: refused.message }));
      return html(reply, 200, renderPayPage({
        kind: 'confirm',
        merchantName: opts.merchantName,
        description: order.description,
        amountFen: order.totalFen,
        outTradeNo: order.outTradeNo,
        codeUrl: order.codeUrl,
        action: `${prefix}/pay`,
      }));
    });

    app.post('/pay', async (request, reply) => {
      const form = codeUrlSchema.safeParse(request.body);
      const found = form.success ? ledger.byCode(form.data.code_url, now()) : undefined;
      if (!found) return html(reply, 404, renderPayPage({ kind: 'refused', message: '二维码无效' }));
      const order = ledger.pay(found.outTradeNo, now());
      if (isRefusal(order)) return html(reply, 409, renderPayPage({ kind: 'refused', message: order.message }));
      // The phone shows success at once; the merchant learns it from the notification, in the background.
      notifyPaid(order).catch((err: unknown) => request.log.error({ err }, 'wechatpay simulator notify failed'));
      return html(reply, 200, renderPayPage({ kind: 'paid', merchantName: opts.merchantName, description: order.description, amountFen: order.totalFen }));
    });
  }

  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(apiRoutes);
    await app.register(phoneRoutes);
    app.addHook('onClose', async () => {
      stopping.abort();
      await Promise.allSettled([...pending]);
    });
  };

  const controls: WechatPaySimControls = {
    notifyFaults,
    async pay(outTradeNo) {
      const order = ledger.pay(outTradeNo, now());
      if (isRefusal(order)) throw new SimulatedPaymentRefused(order);
      return notifyPaid(order);
    },
    replay: (id) => track(notifier.replay(id)),
    deliveries: () => notifier.deliveries(),
    alterNextAnswer() {
      alterNext = true;
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };

  return { plugin, controls, platformPublicKeys };
}
