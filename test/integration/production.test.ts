/**
 * Production configuration: no /dev pages and no built-in simulator; SMS go to the gateway named in
 * the environment, with the credentials from the environment, through the real Alibaba adapter.
 * The gateway here is the simulator on its own loopback port, standing in for dysmsapi.
 * Also: what the JSON logs hold after a login — never a code, a full phone number or a cookie.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertDesk } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { initCaModule } from '../../src/modules/ca/index.ts';
import { MemorySmsOutbox, smsSimulatorPlugin } from '../../src/providers/sms/simulator.ts';
import { randomPhone, startTestApp, testConfig, type TestApp } from '../support/app.ts';
import { TestClient } from '../support/http.ts';

const outbox = new MemorySmsOutbox();
let gateway: FastifyInstance;
let t: TestApp;
let logs = '';

/** The WeChat Pay settings production requires, as files on disk (made in beforeAll). */
let wechatEnv: Record<string, string> = {};

beforeAll(async () => {
  gateway = Fastify();
  await gateway.register(
    smsSimulatorPlugin({
      outbox,
      accessKeys: { LTAIprodkey: 'production-secret-from-env' },
      signNames: ['某某CA'],
      templates: { SMS_900001: '您的验证码为${code}，5分钟内有效。' },
    }),
  );
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  const port = (gateway.server.address() as { port: number }).port;

  // A merchant's WeChat Pay keys as an operator would put them on disk (nothing is paid here).
  const keys = mkdtempSync(path.join(tmpdir(), 'certdesk-wechatpay-'));
  const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path.join(keys, 'merchant.pem'), merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(path.join(keys, 'platform.pem'), platform.publicKey.export({ type: 'spki', format: 'pem' }));
  wechatEnv = {
    WECHATPAY_MCHID: '1900000001',
    WECHATPAY_APPID: 'wx0000000000000001',
    WECHATPAY_MERCHANT_SERIAL_NO: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
    WECHATPAY_MERCHANT_PRIVATE_KEY_FILE: path.join(keys, 'merchant.pem'),
    WECHATPAY_PLATFORM_PUBLIC_KEYS: `PUB_KEY_ID_0000000000000001=${path.join(keys, 'platform.pem')}`,
    WECHATPAY_APIV3_KEY: 'k'.repeat(32),
    // Production sends mail through an SMTP server of its own (here a loopback relay nothing sends to).
    MAIL_SMTP_HOST: '127.0.0.1',
    MAIL_SMTP_SECURE: 'none',
    MAIL_FROM: '某某CA <invoice@ca.example>',
    BANK_NAME: '中国工商银行呼和浩特分行营业部',
    BANK_ACCOUNT_NUMBER: '0602 1234 5678 9012 345',
    // 诺诺开放平台 (nothing is invoiced here).
    EINVOICE_APP_KEY: 'nuonuo-app-key',
    EINVOICE_APP_SECRET: 'nuonuo-app-secret',
    EINVOICE_SELLER_TAX_NUMBER: '91150100MA0CERTD94',
    EINVOICE_SELLER_ADDRESS: '内蒙古自治区呼和浩特市赛罕区敕勒川大街1号',
    EINVOICE_SELLER_PHONE: '0471-3456789',
    EINVOICE_SELLER_BANK_ACCOUNT: '中国工商银行呼和浩特分行营业部 0602123456789012345',
    EINVOICE_CLERK: '王会计',
  };
  const prod = loadConfig({
    ...wechatEnv,
    CERTDESK_MODE: 'production',
    CERTDESK_SECRET: 'x'.repeat(40),
    ALIYUN_SMS_ENDPOINT: `http://127.0.0.1:${port}/`,
    ALIYUN_SMS_ACCESS_KEY_ID: 'LTAIprodkey',
    ALIYUN_SMS_ACCESS_KEY_SECRET: 'production-secret-from-env',
    ALIYUN_SMS_SIGN_NAME: '某某CA',
    ALIYUN_SMS_TEMPLATE_LOGIN_CODE: 'SMS_900001',
    ALIYUN_CLOUDAUTH_ACCESS_KEY_ID: 'LTAIprodregistry',
    ALIYUN_CLOUDAUTH_ACCESS_KEY_SECRET: 'registry-secret-from-env',
    CA_KEY_PASSPHRASE: 'ca-passphrase-from-env',
  });
  const base = testConfig();
  // Production never makes its own CA: the operator runs `certdesk ca init` first (the same code here).
  const dataDir = mkdtempSync(path.join(tmpdir(), 'certdesk-prod-'));
  const config: Config = { ...prod, host: '127.0.0.1', port: 0, database: { kind: 'pglite', dataDir }, auth: base.auth, ca: { ...prod.ca, keystoreDir: path.join(dataDir, 'ca-keys') } };
  const database = await openDatabase(config.database);
  await database.migrate();
  await initCaModule({ config, db: database.db, derivedPassphrase: 'unused', clock: () => new Date(), log: pino({ level: 'silent' }), actor: { kind: 'system', id: 'test' } }, ['sm2', 'p256']);
  await database.close();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  // Its own embedded database even when DATABASE_URL is set: instances that share a database share
  // one job queue and must share one secret and one gateway, which this deliberately different
  // configuration does not.
  t = await startTestApp({
    config,
    logger: pino({ level: 'info' }, sink),
  });
});
afterAll(async () => {
  await t?.close();
  await gateway?.close();
});

async function codeFor(phone: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const [sms] = (await outbox.list(100)).filter((m) => m.phone === phone);
    if (sms) return sms.params['code'] ?? '';
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no SMS reached the gateway');
}

describe('production configuration', () => {
  it('has no /dev pages and no built-in simulators', async () => {
    const client = new TestClient(t.url);
    expect((await client.get('/dev/sms')).status).toBe(404);
    expect((await client.get('/dev/registry')).status).toBe(404);
    expect((await client.post('/sim/registry/', {})).status).toBe(404);
    expect((await client.post('/sim/aliyun-sms/', {})).status).toBe(404);
    expect((await client.post('/sim/wechatpay/v3/pay/transactions/native', {})).status).toBe(404);
  });

  it('sends the login code through the configured gateway with the configured credentials', async () => {
    const client = new TestClient(t.url);
    const phone = randomPhone();
    expect((await client.post('/api/auth/sms-code', { phone })).status).toBe(200);
    const code = await codeFor(phone);
    const [sms] = (await outbox.list(100)).filter((m) => m.phone === phone);
    expect(sms?.text).toBe(`【某某CA】您的验证码为${code}，5分钟内有效。`);
    const login = await client.post('/api/auth/login', { phone, code });
    expect(login.status).toBe(200);
    expect((await client.get('/api/auth/session')).status).toBe(200);

    // What the logs hold: the masked phone, never the number, the code or the session token.
    expect(logs).toContain(`${phone.slice(0, 3)}****${phone.slice(7)}`);
    expect(logs).not.toContain(phone);
    expect(logs).not.toContain(code);
    const token = client.cookie?.split('=')[1] ?? '';
    expect(token.length).toBeGreaterThan(20);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain('production-secret-from-env');
  });

  it('refuses to start without a CA, naming the command that makes one', async () => {
    const empty: Config = { ...t.config, database: { kind: 'pglite', dataDir: 'memory://' }, ca: { ...t.config.ca, keystoreDir: mkdtempSync(path.join(tmpdir(), 'certdesk-nokeys-')) } };
    await expect(createCertDesk(empty, { logger: pino({ level: 'silent' }) })).rejects.toThrow(/certdesk ca init/);
  });

  it('refuses to start without its secrets', () => {
    expect(() => loadConfig({ ...wechatEnv, CERTDESK_MODE: 'production', CERTDESK_SECRET: 'x'.repeat(40), CA_KEY_PASSPHRASE: 'ca-passphrase', WECHATPAY_PROVIDER: 'simulator', ALIYUN_SMS_ACCESS_KEY_ID: 'k', ALIYUN_SMS_ACCESS_KEY_SECRET: 's', ALIYUN_CLOUDAUTH_ACCESS_KEY_ID: 'k', ALIYUN_CLOUDAUTH_ACCESS_KEY_SECRET: 's' })).toThrow(
      /不能使用微信支付模拟器/,
    );
    expect(() => loadConfig({ CERTDESK_MODE: 'production', CERTDESK_SECRET: 'x'.repeat(40), CA_KEY_PASSPHRASE: 'ca-passphrase', ALIYUN_SMS_ACCESS_KEY_ID: 'k', ALIYUN_SMS_ACCESS_KEY_SECRET: 's', ALIYUN_CLOUDAUTH_ACCESS_KEY_ID: 'k', ALIYUN_CLOUDAUTH_ACCESS_KEY_SECRET: 's' })).toThrow(
      /BANK_NAME, BANK_ACCOUNT_NUMBER, WECHATPAY_MCHID/,
    );
    expect(() => loadConfig({ CERTDESK_MODE: 'production' })).toThrow(/CERTDESK_SECRET/);
    expect(() => loadConfig({ CERTDESK_MODE: 'production' })).toThrow(/CA_KEY_PASSPHRASE/);
    expect(() =>
      loadConfig({
        ...wechatEnv,
        CERTDESK_MODE: 'production',
        CERTDESK_SECRET: 'x'.repeat(40),
        CA_KEY_PASSPHRASE: 'ca-passphrase',
        SMS_PROVIDER: 'simulator',
        ALIYUN_CLOUDAUTH_ACCESS_KEY_ID: 'k',
        ALIYUN_CLOUDAUTH_ACCESS_KEY_SECRET: 's',
      }),
    ).toThrow(/不能使用短信模拟器/);
    expect(() =>
      loadConfig({
        ...wechatEnv,
        CERTDESK_MODE: 'production',
        CERTDESK_SECRET: 'x'.repeat(40),
        CA_KEY_PASSPHRASE: 'ca-passphrase',
        ALIYUN_SMS_ACCESS_KEY_ID: 'k',
        ALIYUN_SMS_ACCESS_KEY_SECRET: 's',
        ALIYUN_CLOUDAUTH_ACCESS_KEY_ID: 'k',
        ALIYUN_CLOUDAUTH_ACCESS_KEY_SECRET: 's',
        MAIL_PROVIDER: 'simulator',
      }),
    ).toThrow(/不能使用邮件模拟器/);
    expect(() => loadConfig({ ...wechatEnv, CERTDESK_MODE: 'production', CERTDESK_SECRET: 'x'.repeat(40), CA_KEY_PASSPHRASE: 'ca-passphrase', ALIYUN_SMS_ACCESS_KEY_ID: 'k', ALIYUN_SMS_ACCESS_KEY_SECRET: 's' })).toThrow(
      /ALIYUN_CLOUDAUTH_ACCESS_KEY_ID/,
    );
  });
});
