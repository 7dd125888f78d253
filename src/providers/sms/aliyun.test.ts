/**
 * The real adapter against the loopback simulator over real HTTP: whatever passes here is the same
 * wire protocol on both sides, and the signature tests pin that protocol to Alibaba's examples.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signedForm } from '../aliyun/rpc-client.ts';
import { closedPort, freshCommonParams, rawFormRoutes, startTestServer } from '../aliyun/test-server.ts';
import { AliyunSmsProvider, type AliyunSmsOptions } from './aliyun.ts';
import {
  MemorySmsOutbox,
  SmsFailureSwitch,
  renderSmsOutboxHtml,
  smsSimulatorPlugin,
  type SimulatedSms,
} from './simulator.ts';
import { SmsGatewayError, type SmsMessage } from './types.ts';

const ACCESS_KEY_ID = 'LTAI-certdesk-test';
const ACCESS_KEY_SECRET = 'sim-secret-0123456789';
const SIGN_NAME = 'CertDesk';
const TEMPLATE_CODE = 'SMS_CERTDESK_LOGIN';
const TEMPLATE_TEXT = '您的登录验证码为${code}，5分钟内有效，请勿泄露给他人。';
const LOGIN: SmsMessage = { phone: '13812345678', template: 'login_code', params: { code: '482913' } };

let app: FastifyInstance;
let base: string;
let outbox: MemorySmsOutbox;
let delivered: SimulatedSms[];
let failures: SmsFailureSwitch;

beforeAll(async () => {
  ({ app, base } = await startTestServer(async (server) => {
    await server.register(
      smsSimulatorPlugin({
        outbox: { add: (sms, now) => outbox.add(sms, now), list: (limit) => outbox.list(limit) },
        accessKeys: { [ACCESS_KEY_ID]: ACCESS_KEY_SECRET },
        signNames: [SIGN_NAME],
        templates: { [TEMPLATE_CODE]: TEMPLATE_TEXT, SMS_NO_VARS: '欢迎使用 CertDesk。' },
        onDelivered: (sms) => delivered.push(sms),
        failNext: () => failures.take(),
      }),
      { prefix: '/sim/aliyun-sms' },
    );
    await server.register(
      rawFormRoutes((misbehaving) => {
        misbehaving.post('/hang', () => new Promise<never>(() => {}));
        misbehaving.post('/broken', async (_request, reply) =>
          reply.status(502).type('text/html').send('<h1>Bad Gateway</h1>'),
        );
      }),
    );
  }));
});

afterAll(async () => {
  await app.close();
});

beforeEach(() => {
  outbox = new MemorySmsOutbox();
  delivered = [];
  failures = new SmsFailureSwitch();
});

function provider(overrides: Partial<AliyunSmsOptions> = {}): AliyunSmsProvider {
  return new AliyunSmsProvider({
    endpoint: `${base}/sim/aliyun-sms/`,
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    signName: SIGN_NAME,
    templates: { login_code: TEMPLATE_CODE },
    ...overrides,
  });
}

async function refusal(promise: Promise<unknown>): Promise<SmsGatewayError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SmsGatewayError)) throw new Error(`expected SmsGatewayError, got ${String(err)}`);
  return err;
}

/** A signed SendSms form body, for checks the adapter itself never provokes. */
function signedBody(params: Record<string, string>, secret = ACCESS_KEY_SECRET): string {
  const all: Record<string, string> = {
    ...freshCommonParams('SendSms', '2017-05-25', ACCESS_KEY_ID),
    RegionId: 'cn-hangzhou',
    SignName: SIGN_NAME,
    TemplateCode: TEMPLATE_CODE,
    TemplateParam: '{"code":"135790"}',
    ...params,
  };
  return signedForm('POST', all, secret);
}

async function postRaw(body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/sim/aliyun-sms`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('AliyunSmsProvider against the simulator', () => {
  it('delivers a login code with the rendered text', async () => {
    const { receiptId } = await provider().send(LOGIN);

    const [sms, ...rest] = await outbox.list(10);
    expect(rest).toEqual([]);
    expect(sms).toMatchObject({
      id: receiptId,
      phone: '13812345678',
      signName: SIGN_NAME,
      templateCode: TEMPLATE_CODE,
      params: { code: '482913' },
      text: '【CertDesk】您的登录验证码为482913，5分钟内有效，请勿泄露给他人。',
    });
    expect(delivered).toEqual([sms]);
  });

  it('sends a template without variables', async () => {
    await provider({ templates: { login_code: 'SMS_NO_VARS' } }).send({ ...LOGIN, params: {} });
    expect((await outbox.list(1))[0]?.text).toBe('【CertDesk】欢迎使用 CertDesk。');
  });

  it('refuses a wrong secret, permanently, without leaking the code or the secret', async () => {
    const err = await refusal(provider({ accessKeySecret: 'not-the-secret' }).send(LOGIN));
    expect(err.gatewayCode).toBe('SignatureDoesNotMatch');
    expect(err.retryable).toBe(false);
    expect(err.message).not.toContain('482913');
    expect(err.message).not.toContain('not-the-secret');
    expect(await outbox.list(10)).toEqual([]);
  });

  it('refuses an unknown AccessKeyId permanently', async () => {
    const err = await refusal(provider({ accessKeyId: 'LTAI-unknown' }).send(LOGIN));
    expect(err.gatewayCode).toBe('InvalidAccessKeyId.NotFound');
    expect(err.retryable).toBe(false);
  });

  it.each(['12345678901', '1381234567', '138123456789', '+8613812345678', '23812345678'])(
    'refuses the illegal phone %s permanently',
    async (phone) => {
      const err = await refusal(provider().send({ ...LOGIN, phone }));
      expect(err.gatewayCode).toBe('isv.MOBILE_NUMBER_ILLEGAL');
      expect(err.retryable).toBe(false);
    },
  );

  it('refuses a phone list locally, so one message never fans out', async () => {
    const err = await refusal(provider().send({ ...LOGIN, phone: '13812345678,13912345678' }));
    expect(err.retryable).toBe(false);
    expect(await outbox.list(10)).toEqual([]);
  });

  it('refuses an unknown sign name, an unknown template and a missing variable permanently', async () => {
    const sign = await refusal(provider({ signName: '别人的签名' }).send(LOGIN));
    expect([sign.gatewayCode, sign.retryable]).toEqual(['isv.SMS_SIGNATURE_ILLEGAL', false]);
    const template = await refusal(provider({ templates: { login_code: 'SMS_404' } }).send(LOGIN));
    expect([template.gatewayCode, template.retryable]).toEqual(['isv.SMS_TEMPLATE_ILLEGAL', false]);
    const missing = await refusal(provider().send({ ...LOGIN, params: { other: '1' } }));
    expect([missing.gatewayCode, missing.retryable]).toEqual(['isv.TEMPLATE_MISSING_PARAMETERS', false]);
  });

  it('refuses a replayed nonce', async () => {
    const nonce = `replayed-${crypto.randomUUID()}`;
    const replaying = provider({ nonce: () => nonce });
    await replaying.send(LOGIN);
    const err = await refusal(replaying.send(LOGIN));
    expect(err.gatewayCode).toBe('SignatureNonceUsed');
    expect(await outbox.list(10)).toHaveLength(1);
  });

  it('refuses a timestamp more than 15 minutes off, either way, and accepts one inside the window', async () => {
    const stale = await refusal(provider({ now: () => new Date(Date.now() - 16 * 60_000) }).send(LOGIN));
    expect(stale.gatewayCode).toBe('InvalidTimeStamp.Expired');
    const early = await refusal(provider({ now: () => new Date(Date.now() + 16 * 60_000) }).send(LOGIN));
    expect(early.gatewayCode).toBe('InvalidTimeStamp.Expired');
    await provider({ now: () => new Date(Date.now() - 14 * 60_000) }).send(LOGIN);
    expect(await outbox.list(10)).toHaveLength(1);
  });

  it('gives a retryable error when the gateway does not answer in time', async () => {
    const started = Date.now();
    const err = await refusal(provider({ endpoint: `${base}/hang`, timeoutMs: 200 }).send(LOGIN));
    expect(err.gatewayCode).toBe('Timeout');
    expect(err.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives a retryable error for a 5xx answer without Alibaba JSON', async () => {
    const err = await refusal(provider({ endpoint: `${base}/broken` }).send(LOGIN));
    expect(err.gatewayCode).toBe('HttpStatus.502');
    expect(err.retryable).toBe(true);
  });

  it('gives a retryable error when nothing listens', async () => {
    const port = await closedPort();
    const err = await refusal(provider({ endpoint: `http://127.0.0.1:${port}/` }).send(LOGIN));
    expect(err.gatewayCode).toBe('NetworkError');
    expect(err.retryable).toBe(true);
    expect(err.message).not.toContain('482913');
  });

  it('retries throttling but not per-number flow control', async () => {
    failures.failNext(1, { code: 'Throttling.User', message: 'Request was denied due to user flow control.' });
    failures.failNext(1, { code: 'isv.BUSINESS_LIMIT_CONTROL', message: '触发小时级流控Permits:5' });
    const throttled = await refusal(provider().send(LOGIN));
    expect([throttled.gatewayCode, throttled.retryable]).toEqual(['Throttling.User', true]);
    const limited = await refusal(provider().send(LOGIN));
    expect([limited.gatewayCode, limited.retryable]).toEqual(['isv.BUSINESS_LIMIT_CONTROL', false]);
    expect(limited.message).toContain('触发小时级流控');
    await provider().send(LOGIN);
    expect(await outbox.list(10)).toHaveLength(1);
  });

  it('treats an unknown code as retryable and keeps the code out of the message', async () => {
    failures.failNext(1, { code: 'isp.SYSTEM_ERROR', message: 'echo 482913', status: 500 });
    const err = await refusal(provider().send(LOGIN));
    expect([err.gatewayCode, err.retryable]).toEqual(['isp.SYSTEM_ERROR', true]);
    expect(err.message).not.toContain('482913');
  });
});

describe('the simulator on requests the adapter never makes', () => {
  it('stores one message per number of a list, newest first', async () => {
    const { status, json } = await postRaw(signedBody({ PhoneNumbers: '13800000001,13900000002' }));
    expect(status).toBe(200);
    expect(json).toMatchObject({ Code: 'OK', Message: 'OK' });
    const messages = await outbox.list(10);
    expect(messages.map((m) => m.phone).sort()).toEqual(['13800000001', '13900000002']);
    expect(messages.every((m) => m.text === '【CertDesk】您的登录验证码为135790，5分钟内有效，请勿泄露给他人。')).toBe(
      true,
    );
    expect(json['BizId']).toBe(messages.at(-1)?.id);
  });

  it('answers a missing parameter in Alibaba shape', async () => {
    const body = signedBody({ PhoneNumbers: '13800000001' }).replace(/(^|&)Signature=[^&]*/, '');
    const { status, json } = await postRaw(body);
    expect(status).toBe(400);
    expect(json).toMatchObject({ Code: 'MissingSignature' });
    expect(typeof json['RequestId']).toBe('string');
  });

  it('refuses a signed request without PhoneNumbers', async () => {
    const { status, json } = await postRaw(signedBody({}));
    expect([status, json['Code']]).toEqual([400, 'MissingPhoneNumbers']);
  });

  it('refuses another Action or Version', async () => {
    const action = await postRaw(signedBody({ PhoneNumbers: '13800000001', Action: 'SendBatchSms' }));
    expect([action.status, action.json['Code']]).toEqual([404, 'InvalidAction.NotFound']);
    const version = await postRaw(signedBody({ PhoneNumbers: '13800000001', Version: '2018-01-01' }));
    expect([version.status, version.json['Code']]).toEqual([400, 'InvalidVersion']);
  });

  it('refuses TemplateParam that is not a JSON object of strings', async () => {
    const { status, json } = await postRaw(signedBody({ PhoneNumbers: '13800000001', TemplateParam: '{"code":1}' }));
    expect([status, json['Code']]).toEqual([200, 'isv.INVALID_JSON_PARAM']);
  });

  it('checks the signature before business rules', async () => {
    const { status, json } = await postRaw(signedBody({ PhoneNumbers: 'not-a-phone' }, 'wrong'));
    expect([status, json['Code']]).toEqual([400, 'SignatureDoesNotMatch']);
  });
});

describe('MemorySmsOutbox', () => {
  it('lists newest first, honours the limit and forgets beyond its capacity', async () => {
    const box = new MemorySmsOutbox(3);
    const base = { signName: 'S', templateCode: 'T', params: {}, text: 't' };
    for (let i = 0; i < 5; i += 1) await box.add({ ...base, phone: `1380000000${i}` }, new Date(1_000 * i));
    expect((await box.list(10)).map((m) => m.phone)).toEqual(['13800000004', '13800000003', '13800000002']);
    expect(await box.list(1)).toHaveLength(1);
  });
});

describe('renderSmsOutboxHtml', () => {
  const message = (over: Partial<SimulatedSms>): SimulatedSms => ({
    id: '1',
    phone: '13812345678',
    signName: 'CertDesk',
    templateCode: 'T',
    params: {},
    text: '【CertDesk】hello',
    createdAt: new Date('2026-11-25T12:00:00Z'),
    ...over,
  });

  it('escapes everything it shows', () => {
    const html = renderSmsOutboxHtml([
      message({ phone: '"><img src=x onerror=alert(1)>', text: `<script>alert("x")</script> & 'q'` }),
    ]);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
    expect(html).toContain('data-phone="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
  });

  it('shows Beijing time, in the order given (newest first), one row per phone', () => {
    const html = renderSmsOutboxHtml([
      message({ phone: '13800000002', text: 'newer', createdAt: new Date('2026-11-25T16:30:05Z') }),
      message({ phone: '13800000001', text: 'older', createdAt: new Date('2026-11-25T12:00:00Z') }),
    ]);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<meta charset="UTF-8">');
    expect(html).toContain('<title>模拟短信发件箱</title>');
    expect(html).toContain('2026-11-25 20:00:00');
    expect(html).toContain('2026-11-26 00:30:05');
    expect(html.indexOf('newer')).toBeLessThan(html.indexOf('older'));
    expect(html.match(/data-phone="13800000001"/g)).toHaveLength(1);
    expect(html).not.toContain('暂无短信');
  });

  it('says so when there is nothing', () => {
    const html = renderSmsOutboxHtml([]);
    expect(html).toContain('暂无短信');
    expect(html).toContain('开发');
    expect(html).not.toContain('data-phone');
  });
});
