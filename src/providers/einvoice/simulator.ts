/**
 * A loopback stand-in for 诺诺开放平台 (诺税通 SaaS), so demos and tests run the real adapter end
 * to end: POST <prefix>/open/v1/services with senid, nonce, timestamp and appkey in the query and
 * the API in the `method` header, X-Nuonuo-Sign checked (refused in the platform's envelope
 * otherwise), the accessToken checked, and the four APIs CertDesk uses; POST <prefix>/accessToken
 * hands out tokens (client_credentials); GET <prefix>/files/<token>.pdf|.xml serves what was issued.
 * Invoices are issued a moment after they are accepted, as the real platform does, and numbered
 * as 数电票 are. Test controls make it fail, hang, or go down. Mount it under a prefix such as
 * /sim/nuonuo; the adapter's endpoint is then http://127.0.0.1:<port>/sim/nuonuo/open/v1/services.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { yuanText } from '../../domain/invoice-amounts.ts';
import { acceptFormBodies } from '../aliyun/gateway-sim.ts';
import { parseJson } from '../aliyun/rpc-client.ts';
import {
  BILL_STATUS,
  CODES,
  METHODS,
  SERVICE_PATH,
  STATUS,
  STATUS_MESSAGES,
  TOKEN_PATH,
  issueBodySchema,
  queryBodySchema,
  queryRedConfirmBodySchema,
  saveRedConfirmBodySchema,
} from './protocol.ts';
import { SimLedger, isRefusal, type Refusal, type SimulatedInvoice, type SimulatedRedConfirm } from './sim-ledger.ts';
import { nuonuoSign } from './signing.ts';
import type { InvoiceSeller } from './types.ts';

export type { SimulatedInvoice } from './sim-ledger.ts';

export const DEFAULT_SIMULATOR_PREFIX = '/sim/nuonuo';

export interface NuonuoSimulatorOptions {
  /** appKey → appSecret of the apps allowed in. */
  apps: Record<string, string>;
  /** Tokens that are valid from the start (a 自用型应用's long-lived token), → their appKey. */
  accessTokens?: Record<string, string>;
  /** The 授权企业: the seller the apps invoice for. */
  seller: InvoiceSeller;
  now?: () => Date;
  /** How long an accepted invoice stays 开票中; default 1.5 s. */
  issuingDelayMs?: number;
  /** Where it is mounted, for the file URLs it answers with; default /sim/nuonuo. */
  prefix?: string;
  /** A single-face CJK font for the PDFs; the known Debian ones otherwise. */
  fontPath?: string;
  /** How far `timestamp` may be from the simulator's clock; default 10 minutes. */
  maxClockSkewMs?: number;
}

/** What to answer instead, once each: an HTTP error page, or the platform's envelope with a code. */
export type SimFailure = { status: number; body?: string } | { code: string; describe: string };

export interface NuonuoSimControls {
  /** The next `count` API calls (and token requests) are answered with `failure` (default: HTTP 502). */
  failNext(count: number, failure?: SimFailure): void;
  /** The next `count` API calls get no answer until the app closes: the caller's timeout fires. */
  hangNext(count: number): void;
  /** Every connection is dropped unanswered until `up()`, as an unreachable platform. */
  down(): void;
  up(): void;
  /** The next `count` invoices accepted fail at the tax bureau (开票失败) with `cause`. */
  failNextIssuance(count: number, cause: string): void;
  /** The next `count` 红字确认单 wait for the buyer (02), as for a 专票 the buyer has already used. */
  redNeedsBuyer(count: number): void;
  /** The buyer confirms (the red invoice follows) or denies (the form is void) a waiting 红字确认单. */
  buyerAnswers(billId: string, agree: boolean): void;
  /** Every invoice it was asked for, newest first: for /dev/invoices. */
  invoices(): SimulatedInvoice[];
  /** The PDF of an issued invoice, by its number. */
  pdf(number: string): Uint8Array | undefined;
  /** Waits until no invoice is being issued. */
  settled(): Promise<void>;
  /** Invoices accepted from now on stay 开票中 until the returned function is called. */
  hold(): () => void;
}

export interface NuonuoSimulator {
  plugin: FastifyPluginAsync;
  controls: NuonuoSimControls;
}

type Answer = { code: string; describe: string; result?: unknown };

const ok = (result: unknown, describe = '成功'): Answer => ({ code: CODES.success, describe, result });
const answerOf = (r: Refusal): Answer => ({ code: r.code, describe: r.describe });

const envelopeQuery = z.object({
  senid: z.string().regex(/^[A-Za-z0-9]{32}$/),
  nonce: z.string().regex(/^[1-9]\d{7}$/),
  timestamp: z.string().regex(/^\d{10}$/),
  appkey: z.string().min(1),
});

const TOKEN_TTL_SECONDS = 24 * 3600;
/** Invoices (and their files, ~15 KB each) a long-running demo keeps. */
const KEEP_INVOICES = 500;

export function createNuonuoSimulator(opts: NuonuoSimulatorOptions): NuonuoSimulator {
  const now = opts.now ?? (() => new Date());
  const prefix = (opts.prefix ?? DEFAULT_SIMULATOR_PREFIX).replace(/\/+$/, '');
  const skewMs = opts.maxClockSkewMs ?? 10 * 60_000;
  const ledger = new SimLedger(opts.seller, KEEP_INVOICES);
  const tokens = new Map<string, { appKey: string; expiresAt: number }>(
    Object.entries(opts.accessTokens ?? {}).map(([token, appKey]) => [token, { appKey, expiresAt: Number.POSITIVE_INFINITY }]),
  );
  const files = new Map<string, { pdf: Uint8Array; xml: string }>();
  const usedSenids = new Map<string, number>();
  const failures: SimFailure[] = [];
  const issuanceFailures: string[] = [];
  let hangs = 0;
  let buyerMustConfirm = 0;
  let isDown = false;
  /** While set, issuance waits for it (controls.hold). */
  let held: Promise<void> | undefined;
  const stopping = new AbortController();
  const pending = new Set<Promise<unknown>>();

  function track(work: Promise<unknown>): void {
    pending.add(work);
    void work.finally(() => pending.delete(work)).catch(() => undefined);
  }

  /** 开票中 for a moment, then issued (files rendered) or failed at the bureau. */
  function issueLater(invoice: SimulatedInvoice): void {
    const cause = issuanceFailures.shift();
    const gate = held;
    track(
      (async () => {
        await sleep(opts.issuingDelayMs ?? 1500, undefined, { signal: stopping.signal });
        await gate;
        if (cause !== undefined) return ledger.fail(invoice, STATUS.failed, cause);
        const token = randomBytes(24).toString('base64url');
        ledger.complete(invoice, now(), token);
        try {
          // The PDF library loads with the first invoice, not at every start.
          const { renderInvoicePdf, renderInvoiceXml } = await import('./sim-documents.ts');
          files.set(token, { pdf: await renderInvoicePdf(invoice, opts.fontPath), xml: renderInvoiceXml(invoice) });
          // The ledger forgets the oldest invoices past its capacity; their files go too.
          while (files.size > KEEP_INVOICES) files.delete(files.keys().next().value!);
        } catch (err) {
          ledger.fail(invoice, STATUS.sealFailed, `版式文件生成失败：${err instanceof Error ? err.message : String(err)}`);
        }
      })(),
    );
  }

  function fileUrl(request: FastifyRequest, token: string, ext: 'pdf' | 'xml'): string {
    return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}${prefix}/files/${token}.${ext}`;
  }

  function queryItem(request: FastifyRequest, inv: SimulatedInvoice) {
    const issued = inv.status === STATUS.issued && inv.fileToken !== undefined && files.has(inv.fileToken);
    return {
      serialNo: inv.serialNo,
      orderNo: inv.orderNo,
      // Files are rendered right after the number is given: until then it is still being sealed.
      status: issued || inv.status !== STATUS.issued ? inv.status : STATUS.sealing,
      statusMsg: STATUS_MESSAGES[issued || inv.status !== STATUS.issued ? inv.status : STATUS.sealing] ?? '',
      failCause: inv.failCause ?? '',
      pdfUrl: issued ? fileUrl(request, inv.fileToken!, 'pdf') : '',
      xmlUrl: issued ? fileUrl(request, inv.fileToken!, 'xml') : '',
      invoiceTime: issued ? inv.issuedAt!.getTime() : undefined,
      invoiceCode: '',
      invoiceNo: issued ? inv.number : '',
      allElectronicInvoiceNumber: issued ? inv.number : '',
      exTaxAmount: yuanText(inv.amounts.amountFen),
      taxAmount: yuanText(inv.amounts.taxFen),
      orderAmount: yuanText(inv.amounts.totalFen),
      payerName: inv.buyer.name,
      payerTaxNo: inv.buyer.taxNumber,
      address: inv.buyer.address,
      telephone: inv.buyer.phone,
      bankAccount: inv.buyer.bankAccount,
      invoiceLine: inv.line,
      invoiceType: inv.red ? '2' : '1',
      oldEleInvoiceNumber: inv.originalNumber ?? '',
      redReason: inv.redReason ?? '',
      saleName: inv.seller.name,
      salerTaxNum: inv.seller.taxNumber,
      clerk: inv.clerk,
      remark: inv.remark,
    };
  }

  function formItem(form: SimulatedRedConfirm) {
    const red = form.redSerialNo === '' ? undefined : ledger.serial(form.redSerialNo);
    return {
      billId: form.billId,
      billNo: form.billNo,
      billUuid: form.billUuid,
      billStatus: form.billStatus,
      billMessage: BILL_STATUS[form.billStatus] ?? '',
      // Only once the red invoice exists, as the platform answers.
      ...(red === undefined ? {} : { invoiceSerialNum: form.redSerialNo, orderNo: form.orderNo }),
      openStatus: red?.status === STATUS.issued ? '1' : '0',
      applySource: '0',
      blueInvoiceLine: form.blueLine,
      blueInvoiceNumber: form.blueNumber,
      billTime: form.createdAt.toISOString(),
      sellerTaxNo: form.sellerTaxNo,
      sellerName: form.sellerName,
      buyerTaxNo: form.buyerTaxNo,
      buyerName: form.buyerName,
      taxExcludedAmount: yuanText(form.amounts.amountFen),
      taxAmount: yuanText(form.amounts.taxFen),
      redReason: form.redReason,
    };
  }

  /** The gateway's checks, in order: envelope, app, time, replay, signature, token, 授权企业. */
  function authenticate(request: FastifyRequest, raw: string, at: number): Answer | undefined {
    const query = envelopeQuery.safeParse(request.query);
    const method = request.headers['method'];
    if (!query.success || typeof method !== 'string' || method === '') {
      return { code: CODES.badEnvelope, describe: '公共参数缺失或格式错误（senid、nonce、timestamp、appkey、method）' };
    }
    const { senid, nonce, timestamp, appkey } = query.data;
    const secret = Object.hasOwn(opts.apps, appkey) ? opts.apps[appkey] : undefined;
    if (secret === undefined) return { code: CODES.badAppKey, describe: '获取app密钥失败或appkey无效' };
    if (Math.abs(at - Number(timestamp) * 1000) > skewMs) return { code: CODES.badEnvelope, describe: '请求时间戳已过期，请校准服务器时间' };
    const given = request.headers['x-nuonuo-sign'];
    const expected = nuonuoSign(secret, { path: request.url, appKey: appkey, senid, nonce, timestamp, body: raw });
    const a = Buffer.from(typeof given === 'string' ? given : '');
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return { code: CODES.badSignature, describe: '签名验证失败' };
    for (const [id, seenAt] of usedSenids) if (at - seenAt > skewMs) usedSenids.delete(id);
    if (usedSenids.has(senid)) return { code: CODES.badEnvelope, describe: 'senid重复，疑似重放请求' };
    usedSenids.set(senid, at);
    const token = request.headers['accesstoken'];
    const held = typeof token === 'string' ? tokens.get(token) : undefined;
    if (held === undefined || held.appKey !== appkey || held.expiresAt <= at) return { code: CODES.badToken, describe: 'accessToken无效或已过期' };
    const userTax = request.headers['usertax'];
    if (typeof userTax === 'string' && userTax !== '' && userTax !== opts.seller.taxNumber) {
      return { code: CODES.badToken, describe: '授权企业税号与accessToken不匹配' };
    }
    return undefined;
  }

  function parseBody<T>(schema: z.ZodType<T>, raw: string): T | Refusal {
    const parsed = schema.safeParse(parseJson(raw));
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    return { code: CODES.badParameter, describe: `参数校验不通过：${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim() };
  }

  function handle(request: FastifyRequest, method: string, raw: string): Answer {
    const at = now();
    switch (method) {
      case METHODS.issue: {
        const body = parseBody(issueBodySchema, raw);
        if (isRefusal(body)) return answerOf(body);
        const invoice = ledger.accept(body.order, at);
        if (isRefusal(invoice)) return answerOf(invoice);
        issueLater(invoice);
        return ok({ invoiceSerialNum: invoice.serialNo }, '开票提交成功');
      }
      case METHODS.query: {
        const body = parseBody(queryBodySchema, raw);
        if (isRefusal(body)) return answerOf(body);
        if (!body.serialNos?.length && !body.orderNos?.length) return { code: CODES.badParameter, describe: '发票流水号和订单号不能同时为空' };
        const found = [
          ...(body.serialNos ?? []).map((s) => ledger.serial(s)),
          ...(body.orderNos ?? []).map((o) => ledger.order(o)),
        ].filter((i): i is SimulatedInvoice => i !== undefined);
        if (found.length === 0) return { code: CODES.notFound, describe: '未查询到发票信息' };
        return ok([...new Set(found)].map((inv) => queryItem(request, inv)), '查询成功');
      }
      case METHODS.saveRedConfirm: {
        const body = parseBody(saveRedConfirmBodySchema, raw);
        if (isRefusal(body)) return answerOf(body);
        const applied = ledger.applyRed(body, at, buyerMustConfirm > 0);
        if (isRefusal(applied)) return answerOf(applied);
        if (buyerMustConfirm > 0) buyerMustConfirm -= 1;
        if (applied.invoice) issueLater(applied.invoice);
        return ok(applied.form.billId);
      }
      case METHODS.queryRedConfirm: {
        const body = parseBody(queryRedConfirmBodySchema, raw);
        if (isRefusal(body)) return answerOf(body);
        if (body.identity !== '0') return ok({ total: 0, list: [] }, '查询成功');
        if (!body.billId && !body.billNo && !body.billUuid && !(body.billTimeStart && body.billTimeEnd)) {
          return { code: CODES.badParameter, describe: '确认单申请号、编号、uuid为空时，填开起止时间不能为空' };
        }
        const list = ledger.redForms({ billId: body.billId, billNo: body.billNo, billUuid: body.billUuid }).map(formItem);
        return ok({ total: list.length, list }, '查询成功');
      }
      default:
        return { code: CODES.badEnvelope, describe: `不支持的API方法：${method}` };
    }
  }

  /** Answers the fault the tests asked for, or nothing to do. */
  async function fault(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (isDown) {
      // Nothing answers: the connection is dropped, as when the platform cannot be reached.
      request.raw.socket.destroy();
      return reply.hijack();
    }
    if (hangs > 0) {
      hangs -= 1;
      await sleep(24 * 3600_000, undefined, { signal: stopping.signal }).catch(() => undefined);
      request.raw.socket.destroy();
      return reply.hijack();
    }
    const failure = failures.shift();
    if (failure === undefined) return undefined;
    if ('status' in failure) {
      return reply.status(failure.status).type('text/html; charset=utf-8').send(failure.body ?? `<html><body><h1>${failure.status} Bad Gateway</h1></body></html>`);
    }
    return reply.status(200).send({ code: failure.code, describe: failure.describe });
  }

  async function apiRoutes(app: FastifyInstance): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_r, body, done) => done(null, body));
    app.setErrorHandler((err, request, reply) => {
      request.log.error({ err }, 'nuonuo simulator failed');
      return reply.status(200).send({ code: 'E9999', describe: '系统异常，请稍后重试' });
    });
    app.post(SERVICE_PATH, async (request, reply) => {
      const faulted = await fault(request, reply);
      if (faulted) return faulted;
      const raw = typeof request.body === 'string' ? request.body : '';
      const denied = authenticate(request, raw, now().getTime());
      const method = String(request.headers['method']);
      return reply.status(200).type('application/json;charset=UTF-8').send(denied ?? handle(request, method, raw));
    });
  }

  const tokenForm = z.object({ client_id: z.string(), client_secret: z.string(), grant_type: z.literal('client_credentials') });

  async function tokenRoutes(app: FastifyInstance): Promise<void> {
    acceptFormBodies(app);
    app.post(TOKEN_PATH, async (request, reply) => {
      const faulted = await fault(request, reply);
      if (faulted) return faulted;
      const form = tokenForm.safeParse(request.body);
      const secret = form.success && Object.hasOwn(opts.apps, form.data.client_id) ? opts.apps[form.data.client_id] : undefined;
      if (!form.success || secret === undefined || secret !== form.data.client_secret) {
        return reply.status(400).send({ error: 'invalid_client', error_description: 'client_id 或 client_secret 错误' });
      }
      const token = randomBytes(16).toString('hex');
      tokens.set(token, { appKey: form.data.client_id, expiresAt: now().getTime() + TOKEN_TTL_SECONDS * 1000 });
      return reply.send({ access_token: token, expires_in: TOKEN_TTL_SECONDS });
    });
  }

  async function fileRoutes(app: FastifyInstance): Promise<void> {
    app.get('/files/:name', async (request, reply) => {
      if (isDown) {
        request.raw.socket.destroy();
        return reply.hijack();
      }
      const m = /^([A-Za-z0-9_-]{32})\.(pdf|xml)$/.exec((request.params as { name: string }).name);
      const file = m ? files.get(m[1]!) : undefined;
      if (!m || !file) return reply.status(404).type('text/plain; charset=utf-8').send('文件不存在');
      const invoice = ledger.byFileToken(m[1]!);
      const name = `${invoice?.number ?? 'invoice'}.${m[2]}`;
      reply.header('Content-Disposition', `inline; filename="${name}"`);
      return m[2] === 'pdf' ? reply.type('application/pdf').send(Buffer.from(file.pdf)) : reply.type('application/xml; charset=utf-8').send(file.xml);
    });
  }

  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(apiRoutes);
    await app.register(tokenRoutes);
    await app.register(fileRoutes);
    app.addHook('onClose', async () => {
      stopping.abort();
      await Promise.allSettled([...pending]);
    });
  };

  const controls: NuonuoSimControls = {
    failNext(count, failure = { status: 502 }) {
      for (let i = 0; i < count; i += 1) failures.push(failure);
    },
    hangNext(count) {
      hangs += count;
    },
    down() {
      isDown = true;
    },
    up() {
      isDown = false;
    },
    redNeedsBuyer(count) {
      buyerMustConfirm += count;
    },
    buyerAnswers(billId, agree) {
      const invoice = ledger.answerRed(billId, agree, now());
      if (invoice) issueLater(invoice);
    },
    failNextIssuance(count, cause) {
      for (let i = 0; i < count; i += 1) issuanceFailures.push(cause);
    },
    invoices: () => ledger.list(),
    pdf(number) {
      const invoice = ledger.list().find((i) => i.number === number);
      return invoice?.fileToken === undefined ? undefined : files.get(invoice.fileToken)?.pdf;
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    hold() {
      let release!: () => void;
      held = new Promise<void>((resolve) => {
        release = resolve;
        stopping.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      return () => {
        held = undefined;
        release();
      };
    },
  };

  return { plugin, controls };
}
