/**
 * A loopback stand-in for Alibaba's dysmsapi SendSms, so development and demos exercise the real
 * adapter end to end: same form-encoded request, same signature, nonce and timestamp checks, same
 * JSON answers and HTTP statuses. Delivered messages land in an outbox that a development page shows.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { escapeHtml, renderDevPage, shanghaiTime } from '../../dev/html.ts';
import { isMainlandMobile } from '../../domain/phone.ts';
import {
  FailureSwitch,
  acceptFormBodies,
  checkAction,
  checkPresent,
  isRefusal,
  refusal,
  requestParams,
  rpcGateway,
  unparsableRequest,
  type GatewayRefusal,
} from '../aliyun/gateway-sim.ts';

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
export class SmsFailureSwitch extends FailureSwitch<SmsFailure> {}

export interface SmsSimulatorOptions {
  outbox: SmsOutbox;
  /** AccessKeyId → AccessKeySecret. */
  accessKeys: Record<string, string>;
  signNames: string[];
  /**
   * TemplateCode → text with ${var} placeholders; a function is asked on every send, so a text an
   * administrator changes is the one the next message uses, as at the real gateway.
   */
  templates: Record<string, string> | (() => Promise<Record<string, string>>);
  now?: () => Date;
  onDelivered?: (sms: SimulatedSms) => void;
  /** Consulted once per authenticated call; a failure it returns is answered instead of sending. */
  failNext?: () => SmsFailure | undefined;
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;
/** Alibaba's documented limit of numbers per SendSms call. */
const MAX_NUMBERS = 1000;
/** SendSms lives in one Version only. */
const SEND_SMS_VERSIONS = { SendSms: '2017-05-25' };
const SEND_SMS_PARAMS = ['PhoneNumbers', 'SignName', 'TemplateCode'] as const;

const templateParamSchema = z.record(z.string(), z.string());

function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

function render(template: string, params: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => params[name] ?? '');
}

export function smsSimulatorPlugin(opts: SmsSimulatorOptions): FastifyPluginAsync {
  const now = opts.now ?? (() => new Date());
  // Per-plugin so two simulators (or two test apps) never share replay state. Action and Version
  // are checked after authentication, with SendSms's own parameters, as the SMS gateway does.
  const gateway = rpcGateway({ credentials: opts.accessKeys, now });

  interface Accepted {
    phones: string[];
    signName: string;
    templateCode: string;
    templateParams: Record<string, string>;
    text: string;
  }

  function validateSendSms(params: Record<string, string>, templates: Record<string, string>): GatewayRefusal | Accepted {
    const wrongAction = checkAction(SEND_SMS_VERSIONS, params);
    if (wrongAction) return wrongAction;
    const missing = checkPresent(params, SEND_SMS_PARAMS);
    if (missing) return missing;
    const phones = (params['PhoneNumbers'] ?? '').split(',').map((p) => p.trim());
    if (phones.length > MAX_NUMBERS) return refusal(200, 'isv.MOBILE_COUNT_OVER_LIMIT', '手机号码数量超过限制');
    if (!phones.every(isMainlandMobile)) return refusal(200, 'isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    const signName = params['SignName'] ?? '';
    if (!opts.signNames.includes(signName)) return refusal(200, 'isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    const templateCode = params['TemplateCode'] ?? '';
    const template = Object.hasOwn(templates, templateCode) ? templates[templateCode] : undefined;
    if (template === undefined) return refusal(200, 'isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
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
      if (!parsed.success) return refusal(200, 'isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
      templateParams = parsed.data;
    }
    if (placeholders(template).some((name) => !Object.hasOwn(templateParams, name))) {
      return refusal(200, 'isv.TEMPLATE_MISSING_PARAMETERS', '模版变量缺少对应参数值');
    }
    const text = `【${signName}】${render(template, templateParams)}`;
    return { phones, signName, templateCode, templateParams, text };
  }

  function refuse(reply: FastifyReply, requestId: string, refused: GatewayRefusal): FastifyReply {
    return reply.status(refused.status).send({ RequestId: requestId, Code: refused.code, Message: refused.message });
  }

  return async (app) => {
    acceptFormBodies(app);

    // Whatever goes wrong in here is answered in Alibaba's shape, which is what the adapter parses.
    app.setErrorHandler((err, request, reply) => {
      const requestId = randomUUID().toUpperCase();
      const unparsable = unparsableRequest(err);
      if (unparsable) return refuse(reply, requestId, unparsable);
      request.log.error({ err }, 'sms simulator failed');
      return refuse(
        reply,
        requestId,
        refusal(500, 'InternalError', 'The request processing has failed due to some unknown error, exception or failure.'),
      );
    });

    app.post('/', async (request, reply) => {
      const requestId = randomUUID().toUpperCase();
      const params = requestParams(request.query, request.body);
      if (isRefusal(params)) return refuse(reply, requestId, params);
      const at = now();

      const unauthenticated = gateway('POST', params, at);
      if (unauthenticated) return refuse(reply, requestId, unauthenticated);
      const injected = opts.failNext?.();
      if (injected) {
        const status = injected.status ?? (injected.code.startsWith('isv.') ? 200 : 400);
        return refuse(reply, requestId, refusal(status, injected.code, injected.message ?? injected.code));
      }
      const templates = typeof opts.templates === 'function' ? await opts.templates() : opts.templates;
      const accepted = validateSendSms(params, templates);
      if (!('phones' in accepted)) return refuse(reply, requestId, accepted);

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
  return renderDevPage({
    title: '模拟短信发件箱',
    note: '本页面仅在开发或演示模式下存在：短信并未真正发出，而是由短信模拟器收下并显示在这里。页面每 3 秒自动刷新。',
    refreshSeconds: 3,
    tableMargin: 'margin-top: 1rem',
    styles: ['td:first-child { white-space: nowrap; }', '.empty { color: #888; text-align: center; }'],
    body: `<table>
<thead><tr><th>时间</th><th>手机号码</th><th>短信内容</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`,
  });
}
