/**
 * A loopback stand-in for Alibaba's dysmsapi SendSms, so development and demos exercise the real
 * adapter end to end: same form-encoded request, same signature, nonce and timestamp checks, same
 * JSON answers and HTTP statuses. Delivered messages land in an outbox that a development page shows.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { isMainlandMobile } from '../../domain/phone.ts';
import { stringToSign, verify } from './aliyun-signature.ts';

export interface SimulatedSms {
  id: string;
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
  text: string;
  createdAt: Date;
}

export interface SmsOutbox {
  add(sms: Omit<SimulatedSms, 'id' | 'createdAt'>, now: Date): Promise<SimulatedSms>;
  /** Newest first. */
  list(limit: number): Promise<SimulatedSms[]>;
}

/** Outbox for unit tests; keeps at most `capacity` messages so a long-running demo cannot grow it without end. */
export class MemorySmsOutbox implements SmsOutbox {
  private readonly messages: SimulatedSms[] = [];

  constructor(private readonly capacity = 1000) {}

  async add(sms: Omit<SimulatedSms, 'id' | 'createdAt'>, now: Date): Promise<SimulatedSms> {
    const stored: SimulatedSms = { ...sms, params: { ...sms.params }, id: randomUUID(), createdAt: new Date(now) };
    this.messages.push(stored);
    if (this.messages.length > this.capacity) this.messages.splice(0, this.messages.length - this.capacity);
    return stored;
  }

  async list(limit: number): Promise<SimulatedSms[]> {
    // Arrival order, not timestamps: senders' clocks may disagree.
    return [...this.messages].reverse().slice(0, Math.max(0, limit));
  }
}

export interface SmsFailure {
  code: string;
  message?: string;
  /** Defaults to 200 for isv.* codes (as Alibaba answers business refusals) and 400 otherwise. */
  status?: number;
}

/** Lets a test make the next N authenticated calls fail with a given Code. */
export class SmsFailureSwitch {
  private pending: SmsFailure[] = [];

  failNext(count: number, failure: SmsFailure): void {
    for (let i = 0; i < count; i += 1) this.pending.push(failure);
  }

  take(): SmsFailure | undefined {
    return this.pending.shift();
  }
}

export interface SmsSimulatorOptions {
  outbox: SmsOutbox;
  /** AccessKeyId → AccessKeySecret. */
  accessKeys: Record<string, string>;
  signNames: string[];
  /** TemplateCode → text with ${var} placeholders. */
  templates: Record<string, string>;
  now?: () => Date;
  onDelivered?: (sms: SimulatedSms) => void;
  /** Consulted once per authenticated call; a failure it returns is answered instead of sending. */
  failNext?: () => SmsFailure | undefined;
}

/** Alibaba refuses a Timestamp more than 15 minutes off and a nonce reused within 15 minutes. */
const WINDOW_MS = 15 * 60_000;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;
/** Alibaba's documented limit of numbers per SendSms call. */
const MAX_NUMBERS = 1000;
const COMMON_PARAMS = [
  'Action',
  'Version',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'Timestamp',
] as const;
const SEND_SMS_PARAMS = ['PhoneNumbers', 'SignName', 'TemplateCode'] as const;

const paramsSchema = z.record(z.string(), z.string());
const templateParamSchema = z.record(z.string(), z.string());

class Refusal {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
  ) {}
}

function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

function render(template: string, params: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => params[name] ?? '');
}

export function smsSimulatorPlugin(opts: SmsSimulatorOptions): FastifyPluginAsync {
  const now = opts.now ?? (() => new Date());
  // Per-plugin so two simulators (or two test apps) never share replay state.
  const usedNonces = new Map<string, number>();

  function checkNonce(accessKeyId: string, nonce: string, at: number): Refusal | undefined {
    for (const [key, seenAt] of usedNonces) {
      if (at - seenAt > WINDOW_MS) usedNonces.delete(key);
    }
    const key = `${accessKeyId}\n${nonce}`;
    if (usedNonces.has(key)) {
      return new Refusal(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    }
    usedNonces.set(key, at);
    return undefined;
  }

  function authenticate(params: Record<string, string>, at: Date): Refusal | undefined {
    for (const name of COMMON_PARAMS) {
      if (!params[name]) return new Refusal(400, `Missing${name}`, `${name} is mandatory for this action.`);
    }
    const accessKeyId = params['AccessKeyId'] ?? '';
    const secret = Object.hasOwn(opts.accessKeys, accessKeyId) ? opts.accessKeys[accessKeyId] : undefined;
    if (secret === undefined) return new Refusal(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (params['SignatureMethod'] !== 'HMAC-SHA1' || params['SignatureVersion'] !== '1.0') {
      return new Refusal(400, 'InvalidParameter', 'Specified SignatureMethod or SignatureVersion is not supported.');
    }
    if (!verify('POST', params, secret)) {
      // Alibaba quotes its string-to-sign here; the adapter must keep it out of its own errors.
      return new Refusal(
        400,
        'SignatureDoesNotMatch',
        `Specified signature is not matched with our calculation. server string to sign is:${stringToSign('POST', params)}`,
      );
    }
    const timestamp = params['Timestamp'] ?? '';
    const sentAt = TIMESTAMP.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
    if (Number.isNaN(sentAt)) {
      return new Refusal(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    }
    if (Math.abs(at.getTime() - sentAt) > WINDOW_MS) {
      return new Refusal(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    }
    return checkNonce(accessKeyId, params['SignatureNonce'] ?? '', at.getTime());
  }

  interface Accepted {
    phones: string[];
    signName: string;
    templateCode: string;
    templateParams: Record<string, string>;
    text: string;
  }

  function validateSendSms(params: Record<string, string>): Refusal | Accepted {
    if (params['Action'] !== 'SendSms') {
      return new Refusal(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    }
    if (params['Version'] !== '2017-05-25') {
      return new Refusal(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
    }
    for (const name of SEND_SMS_PARAMS) {
      if (!params[name]) return new Refusal(400, `Missing${name}`, `${name} is mandatory for this action.`);
    }
    const phones = (params['PhoneNumbers'] ?? '').split(',').map((p) => p.trim());
    if (phones.length > MAX_NUMBERS) return new Refusal(200, 'isv.MOBILE_COUNT_OVER_LIMIT', '手机号码数量超过限制');
    if (!phones.every(isMainlandMobile)) return new Refusal(200, 'isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    const signName = params['SignName'] ?? '';
    if (!opts.signNames.includes(signName)) return new Refusal(200, 'isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    const templateCode = params['TemplateCode'] ?? '';
    const template = Object.hasOwn(opts.templates, templateCode) ? opts.templates[templateCode] : undefined;
    if (template === undefined) return new Refusal(200, 'isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    let templateParams: Record<string, string> = {};
    const rawTemplateParam = params['TemplateParam'];
    if (rawTemplateParam !== undefined && rawTemplateParam !== '') {
      let decoded: unknown;
      try {
        decoded = JSON.parse(rawTemplateParam) as unknown;
      } catch {
        decoded = undefined;
      }
      const parsed = templateParamSchema.safeParse(decoded);
      if (!parsed.success) return new Refusal(200, 'isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
      templateParams = parsed.data;
    }
    if (placeholders(template).some((name) => !Object.hasOwn(templateParams, name))) {
      return new Refusal(200, 'isv.TEMPLATE_MISSING_PARAMETERS', '模版变量缺少对应参数值');
    }
    const text = `【${signName}】${render(template, templateParams)}`;
    return { phones, signName, templateCode, templateParams, text };
  }

  function refuse(reply: FastifyReply, requestId: string, refusal: Refusal): FastifyReply {
    return reply.status(refusal.status).send({ RequestId: requestId, Code: refusal.code, Message: refusal.message });
  }

  return async (app) => {
    // Encapsulated: the urlencoded parser applies to this plugin's routes only. If an ancestor
    // already parses urlencoded bodies, adding it again would throw, and its result is used instead.
    if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
      app.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: 64 * 1024 },
        (_request, body, done) => {
          done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
        },
      );
    }

    // Whatever goes wrong in here is answered in Alibaba's shape, which is what the adapter parses.
    app.setErrorHandler((err, request, reply) => {
      const status = typeof err === 'object' && err && 'statusCode' in err ? Number(err.statusCode) : 500;
      const requestId = randomUUID().toUpperCase();
      if (status >= 400 && status < 500) {
        return refuse(reply, requestId, new Refusal(status, 'InvalidParameter', 'The request could not be parsed.'));
      }
      request.log.error({ err }, 'sms simulator failed');
      return refuse(
        reply,
        requestId,
        new Refusal(500, 'InternalError', 'The request processing has failed due to some unknown error, exception or failure.'),
      );
    });

    app.post('/', async (request, reply) => {
      const requestId = randomUUID().toUpperCase();
      // RPC-style APIs take parameters from the query string and the body alike.
      const query = paramsSchema.safeParse(request.query ?? {});
      const body = paramsSchema.safeParse(request.body ?? {});
      if (!query.success || !body.success) {
        return refuse(reply, requestId, new Refusal(400, 'InvalidParameter', 'Parameters must be given once, as strings.'));
      }
      const params = { ...query.data, ...body.data };
      const at = now();

      const unauthenticated = authenticate(params, at);
      if (unauthenticated) return refuse(reply, requestId, unauthenticated);
      const injected = opts.failNext?.();
      if (injected) {
        const status = injected.status ?? (injected.code.startsWith('isv.') ? 200 : 400);
        return refuse(reply, requestId, new Refusal(status, injected.code, injected.message ?? injected.code));
      }
      const accepted = validateSendSms(params);
      if (accepted instanceof Refusal) return refuse(reply, requestId, accepted);

      const stored: SimulatedSms[] = [];
      for (const phone of accepted.phones) {
        stored.push(
          await opts.outbox.add(
            {
              phone,
              signName: accepted.signName,
              templateCode: accepted.templateCode,
              params: accepted.templateParams,
              text: accepted.text,
            },
            at,
          ),
        );
      }
      for (const sms of stored) opts.onDelivered?.(sms);
      // One BizId per call, as Alibaba does; the first message's id lets the receipt be found in the outbox.
      return reply.status(200).send({ RequestId: requestId, Code: 'OK', Message: 'OK', BizId: stored[0]?.id ?? '' });
    });
  };
}

function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** YYYY-MM-DD HH:mm:ss in Asia/Shanghai; China has kept UTC+8 without daylight saving since 1991. */
function shanghaiTime(date: Date): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The development outbox page: self-contained, refreshes itself; `messages` come newest first. */
export function renderSmsOutboxHtml(messages: SimulatedSms[]): string {
  const sorted = messages;
  const rows =
    sorted.length === 0
      ? '<tr><td colspan="3" class="empty">暂无短信</td></tr>'
      : sorted
          .map(
            (sms) =>
              `<tr data-phone="${escapeHtml(sms.phone)}"><td>${escapeHtml(shanghaiTime(sms.createdAt))}</td>` +
              `<td>${escapeHtml(sms.phone)}</td><td>${escapeHtml(sms.text)}</td></tr>`,
          )
          .join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="3">
<title>模拟短信发件箱</title>
<style>
body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2rem; color: #222; }
.note { color: #8a6d3b; background: #fcf8e3; border: 1px solid #faebcc; padding: .5rem .75rem; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { border: 1px solid #ddd; padding: .4rem .6rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
td:first-child { white-space: nowrap; }
.empty { color: #888; text-align: center; }
</style>
</head>
<body>
<h1>模拟短信发件箱</h1>
<p class="note">本页面仅在开发或演示模式下存在：短信并未真正发出，而是由短信模拟器收下并显示在这里。页面每 3 秒自动刷新。</p>
<table>
<thead><tr><th>时间</th><th>手机号码</th><th>短信内容</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
