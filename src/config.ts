/**
 * Every setting CertDesk reads, parsed once from the environment and validated.
 * Nothing else in the code reads process.env. The defaults run the demo: embedded database,
 * simulators for every outside party, /dev pages on.
 */
import fs from 'node:fs';
import path from 'node:path';
import addressparser from 'nodemailer/lib/addressparser';
import { z } from 'zod';
import type { MailSecurity } from './providers/mail/smtp.ts';
import type { KeyFamily } from './pki/signer.ts';
import type { RenewalPolicy } from './domain/renewal.ts';
import type { UnlockPolicy } from './domain/usb-key-unlock.ts';
import { smsTemplateCodes, smsTemplateSetting, smsTemplateSpecs } from './domain/templates.ts';
import { parseTaxRate } from './domain/invoice-amounts.ts';
import { usccProblem } from './domain/codes.ts';
import type { InvoiceSeller, InvoiceService } from './providers/einvoice/types.ts';
import type { SmsTemplate } from './providers/sms/types.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  /** demo: simulators and /dev pages, seeded data. production: real gateways, no /dev pages. */
  CERTDESK_MODE: z.enum(['demo', 'development', 'production']).default('demo'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The address people use to reach the platform; shown at start-up and used in links. */
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default('./data'),
  /** A PostgreSQL server; without it the embedded PGlite database under DATA_DIR is used. */
  DATABASE_URL: z.string().optional(),
  /** Master secret (≥ 32 characters) from which code-hashing and job-encryption keys derive. */
  CERTDESK_SECRET: z.string().min(32).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default(false),
  /** /metrics answers whoever sends it as a bearer token; without it, only this machine (loopback). */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Force the Secure cookie flag; by default it is set when the request arrived over HTTPS. */
  COOKIE_SECURE: bool.optional(),

  /** Login-code limits; the defaults are the platform's policy, change them only with reason. */
  AUTH_CODE_RESEND_SECONDS: z.coerce.number().int().min(0).default(60),
  AUTH_CODES_PER_PHONE_PER_DAY: z.coerce.number().int().min(1).default(10),
  AUTH_CODES_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(30),

  /** Shown in contracts and forms. */
  CA_NAME: z.string().default('CertDesk 数字证书认证中心'),
  PICKUP_ADDRESS: z.string().default('内蒙古自治区呼和浩特市赛罕区敕勒川大街 1 号 CertDesk 服务大厅（工作日 9:00–17:00）'),

  /** Base of the CRL, OCSP and CA-certificate URLs written into certificates (default http://localhost:PORT). */
  CA_BASE_URL: z.url().optional(),
  /** The CA's key store: one encrypted PKCS#8 file per key (default DATA_DIR/ca-keys). */
  CA_KEYSTORE_DIR: z.string().optional(),
  /** Protects the CA keys at rest; required in production, derived from the master secret otherwise. */
  CA_KEY_PASSPHRASE: z.string().min(8).optional(),
  /** file: every CA key in CA_KEYSTORE_DIR. pkcs11: the families in CA_PKCS11_FAMILIES on a token, the rest in files. */
  CA_KEYSTORE: z.enum(['file', 'pkcs11']).default('file'),
  /** The token vendor's PKCS#11 library; the default is Debian's softhsm2. */
  CA_PKCS11_MODULE: z.string().min(1).default('/usr/lib/softhsm/libsofthsm2.so'),
  CA_PKCS11_TOKEN_LABEL: z.string().min(1).optional(),
  /** The token's user PIN: a secret, never logged. */
  CA_PKCS11_PIN: z.string().min(1).optional(),
  /** Key families whose keys live on the token, comma-separated; softhsm2 has no SM2, hence p256 alone. */
  CA_PKCS11_FAMILIES: z.string().default('p256'),
  /** The device's vendor SM2 signature mechanism (CKM_ number, decimal or 0x…): needed for sm2 on the token. */
  CA_PKCS11_SM2_MECHANISM: z
    .string()
    .regex(/^(0x[0-9a-fA-F]{1,8}|[0-9]{1,10})$/, '应为十进制或 0x 开头的十六进制机制编号')
    .transform(Number)
    .refine((n) => n <= 0xffffffff, '机制编号超出范围')
    .optional(),
  /** How often every CRL is re-signed, whether or not anything was revoked. */
  CRL_REFRESH_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),

  REGISTRY_PROVIDER: z.enum(['simulator', 'aliyun']).optional(),
  // 银行汇款: the account applicants transfer to (shown with the amount and the remittance code).
  BANK_ACCOUNT_NAME: z.string().optional(),
  // No defaults in production: a demo account shown to real customers would take their money astray.
  BANK_NAME: z.string().optional(),
  BANK_ACCOUNT_NUMBER: z.string().optional(),
  // 微信支付 (API v3, Native). The simulator is the default outside production.
  WECHATPAY_PROVIDER: z.enum(['simulator', 'wechatpay']).optional(),
  WECHATPAY_BASE_URL: z.url().default('https://api.mch.weixin.qq.com'),
  WECHATPAY_MCHID: z.string().optional(),
  WECHATPAY_APPID: z.string().optional(),
  WECHATPAY_MERCHANT_SERIAL_NO: z.string().optional(),
  WECHATPAY_MERCHANT_PRIVATE_KEY_FILE: z.string().optional(),
  /** serial=/path/to/key.pem[,serial2=/path2.pem]: two keys may be held while the platform rotates. */
  WECHATPAY_PLATFORM_PUBLIC_KEYS: z.string().optional(),
  WECHATPAY_APIV3_KEY: z.string().optional(),
  WECHATPAY_NOTIFY_URL: z.url().optional(),
  /** How long a 微信支付 QR code stays payable (WeChat's time_expire). */
  PAYMENT_ORDER_TTL_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(120),
  ALIYUN_CLOUDAUTH_ENDPOINT: z.url().default('https://cloudauth.aliyuncs.com/'),

  // 电子发票 (数电票) through 诺诺开放平台. The simulator is the default outside production.
  EINVOICE_PROVIDER: z.enum(['simulator', 'nuonuo']).optional(),
  EINVOICE_ENDPOINT: z.url().default('https://sdk.nuonuo.com/open/v1/services'),
  EINVOICE_TOKEN_URL: z.url().default('https://open.nuonuo.com/accessToken'),
  EINVOICE_APP_KEY: z.string().optional(),
  EINVOICE_APP_SECRET: z.string().optional(),
  /** A 自用型应用's token; without it the adapter fetches one (client_credentials) and renews it. */
  EINVOICE_ACCESS_TOKEN: z.string().optional(),
  /** 销售方: defaults (CA_NAME, a demo 税号 and address) only outside production. */
  EINVOICE_SELLER_NAME: z.string().optional(),
  EINVOICE_SELLER_TAX_NUMBER: z.string().optional(),
  EINVOICE_SELLER_ADDRESS: z.string().optional(),
  EINVOICE_SELLER_PHONE: z.string().optional(),
  /** 开户行及账号 as printed, e.g. 中国工商银行呼和浩特分行营业部 0602123456789012345. */
  EINVOICE_SELLER_BANK_ACCOUNT: z.string().optional(),
  /** 开票员: the drawer's name as registered with the tax bureau (数电票 need it). */
  EINVOICE_CLERK: z.string().optional(),
  EINVOICE_TAX_RATE: z
    .string()
    .default('0.06')
    .transform((v, ctx) => {
      const bp = parseTaxRate(v);
      if (bp === undefined) {
        ctx.addIssue({ code: 'custom', message: 'EINVOICE_TAX_RATE 应为小数形式的税率，如 0.06' });
        return z.NEVER;
      }
      return bp;
    }),
  /** 项目名称; the platform prints it after the 税收分类 简称 (*信息技术服务*…). */
  EINVOICE_GOODS_NAME: z.string().min(1).max(90).default('信息技术服务*数字证书服务费'),
  /** 税收分类编码 (19 digits) of the service. */
  EINVOICE_TAX_CODE: z.string().regex(/^\d{19}$/, 'EINVOICE_TAX_CODE 应为19位税收分类编码').default('3040205000000000000'),
  EINVOICE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(15),
  ALIYUN_CLOUDAUTH_ACCESS_KEY_ID: z.string().optional(),
  ALIYUN_CLOUDAUTH_ACCESS_KEY_SECRET: z.string().optional(),

  /** Where files live: a local directory under DATA_DIR, or S3-compatible object storage. */
  BLOB_STORE: z.enum(['local', 's3']).default('local'),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().default('cn-north-1'),
  S3_BUCKET: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.default(true),
  S3_PREFIX: z.string().optional(),

  SMS_PROVIDER: z.enum(['simulator', 'aliyun']).optional(),
  /** SMS one instance hands to the gateway at once, per queue (login codes, notices). */
  SMS_SEND_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),
  ALIYUN_SMS_ENDPOINT: z.url().default('https://dysmsapi.aliyuncs.com/'),
  ALIYUN_SMS_ACCESS_KEY_ID: z.string().optional(),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z.string().optional(),
  ALIYUN_SMS_SIGN_NAME: z.string().default('CertDesk'),
  // ALIYUN_SMS_TEMPLATE_<TEMPLATE>: one per template of domain/templates.ts (smsTemplateSettings).

  // Email (发票 and others): an SMTP server; the loopback simulator is the default outside production.
  MAIL_PROVIDER: z.enum(['simulator', 'smtp']).optional(),
  MAIL_SMTP_HOST: z.string().min(1).optional(),
  /** Default 465 with MAIL_SMTP_SECURE=tls, 587 with starttls, 25 with none. */
  MAIL_SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** tls: TLS from the first byte (465). starttls: STARTTLS required (587). none: no encryption, loopback relays only. */
  MAIL_SMTP_SECURE: z.enum(['tls', 'starttls', 'none']).default('starttls'),
  MAIL_SMTP_USER: z.string().min(1).optional(),
  /** A secret, never logged. */
  MAIL_SMTP_PASSWORD: z.string().min(1).optional(),
  /** The From of every mail, e.g. 某某CA <invoice@example.com>. */
  MAIL_FROM: z.string().min(1).optional(),
  /** Where the mail simulator listens on 127.0.0.1 (0 = any free port); default 2525, or any free port when PORT=0. */
  MAIL_SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** 已邮寄 / 待自取 orders the applicant has not confirmed complete by themselves after this many days. */
  AUTO_COMPLETE_DAYS: z.coerce.number().int().min(1).max(365).default(15),
  /** 接入平台: how long a rotated-out API key keeps working. */
  PLATFORM_KEY_OVERLAP_DAYS: z.coerce.number().int().min(0).max(90).default(7),
  /** How far a signed request's timestamp may be from the server's clock, either way. */
  PLATFORM_SIGNATURE_SKEW_SECONDS: z.coerce.number().int().min(30).max(900).default(300),
  /** Webhooks: each request's timeout, the attempts before giving up, the first retry's delay (doubling), requests at once. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(10),
  WEBHOOK_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  /** 解锁: USB-key unlock codes one key may be asked for in any hour, and one holder in any 24 hours. */
  UNLOCK_PER_KEY_PER_HOUR: z.coerce.number().int().min(1).max(100).default(5),
  UNLOCK_PER_HOLDER_PER_DAY: z.coerce.number().int().min(1).max(1000).default(10),
  /** 运营看板: an application 待审核 longer than this many hours is listed as waiting too long. */
  REVIEW_WAIT_LIMIT_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24),
  RENEWAL_OPENS_DAYS_BEFORE: z.coerce.number().int().min(1).max(365).default(90),
  RENEWAL_GRACE_DAYS: z.coerce.number().int().min(0).max(3650).default(365),
  /** Days before expiry at which 到期提醒 is sent, comma-separated. */
  RENEWAL_REMINDER_DAYS: z
    .string()
    .default('90,30,7,0')
    .transform((v, ctx) => {
      const days = v.split(',').map((d) => Number(d.trim()));
      if (days.some((d) => !Number.isInteger(d) || d < 0 || d > 365)) {
        ctx.addIssue({ code: 'custom', message: 'RENEWAL_REMINDER_DAYS 应为 0–365 的整数，以逗号分隔，例如 90,30,7,0' });
        return z.NEVER;
      }
      return [...new Set(days)].sort((a, b) => b - a);
    }),
});

export type Mode = 'demo' | 'development' | 'production';

export interface PlatformsConfig {
  keyOverlapDays: number;
  signatureSkewSeconds: number;
  webhook: { timeoutMs: number; maxAttempts: number; retryDelaySeconds: number; concurrency: number };
}

export interface SmsConfig {
  provider: 'simulator' | 'aliyun';
  /** For the simulator, filled in once the server knows its own port. */
  endpoint: string | undefined;
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** Our template → the template code registered at the gateway. */
  templates: Record<SmsTemplate, string>;
  /** Messages sent at once per queue by one instance. */
  sendConcurrency: number;
}

export interface MailConfig {
  provider: 'simulator' | 'smtp';
  /** The SMTP server; for the simulator 127.0.0.1. */
  host: string;
  /** For the simulator, known once it listens. */
  port: number | undefined;
  security: MailSecurity;
  user: string | undefined;
  password: string | undefined;
  /** The From header, e.g. 某某CA <invoice@example.com>. */
  from: string;
  /** The simulator: where it listens on 127.0.0.1 (0 = any free port) … */
  simulatorPort: number;
  /** … and whether another free port will do when that one is taken (the default port, not one asked for). */
  simulatorPortFallback: boolean;
}

export interface RegistryConfig {
  provider: 'simulator' | 'aliyun';
  /** For the simulator, filled in once the server knows its own port. */
  endpoint: string | undefined;
  accessKeyId: string;
  accessKeySecret: string;
}

export type BlobConfig =
  | { kind: 'local' }
  | {
      kind: 's3';
      endpoint: string | undefined;
      region: string;
      bucket: string;
      accessKeyId: string;
      secretAccessKey: string;
      forcePathStyle: boolean;
      prefix: string | undefined;
    };

export type WechatPaySettings =
  | { provider: 'simulator' }
  | {
      provider: 'wechatpay';
      baseUrl: string;
      mchid: string;
      appid: string;
      merchantSerialNo: string;
      merchantPrivateKeyPem: string;
      platformPublicKeys: Record<string, string>;
      apiV3Key: string;
      notifyUrl: string | undefined;
    };

export interface EInvoiceConfig {
  provider: 'simulator' | 'nuonuo';
  /** The service URL; for the simulator, filled in once the server knows its own port. */
  endpoint: string | undefined;
  tokenUrl: string | undefined;
  appKey: string;
  appSecret: string;
  accessToken: string | undefined;
  seller: InvoiceSeller;
  service: InvoiceService;
  clerk: string;
  timeoutMs: number;
}

export interface PaymentsConfig {
  bank: { accountName: string; bankName: string; accountNumber: string };
  wechat: WechatPaySettings;
  orderTtlMinutes: number;
}

export interface Config {
  mode: Mode;
  /** Simulators' inspection pages (/dev/sms …) exist only when this is true. */
  devPages: boolean;
  host: string;
  port: number;
  publicUrl: string | undefined;
  dataDir: string;
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };
  secret: string | undefined;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  trustProxy: boolean;
  /** Bearer token for /metrics; undefined: loopback only. */
  metricsToken: string | undefined;
  cookieSecure: boolean | undefined;
  caName: string;
  pickupAddress: string;
  /** Days after 已邮寄 / 待自取 at which an order completes without 确认收货. */
  autoCompleteDays: number;
  /** 运营看板: hours 待审核 after which an application is listed as waiting too long. */
  reviewWaitLimitHours: number;
  renewal: RenewalConfig;
  platforms: PlatformsConfig;
  unlock: UnlockPolicy;
  sms: SmsConfig;
  mail: MailConfig;
  registry: RegistryConfig;
  blobs: BlobConfig;
  auth: AuthPolicy;
  payments: PaymentsConfig;
  einvoice: EInvoiceConfig;
  ca: CaConfig;
}

export interface RenewalConfig extends RenewalPolicy {
  /** 到期提醒 thresholds, days before expiry, largest first. */
  reminderDays: number[];
}

export interface CaConfig {
  baseUrl: string;
  keystoreDir: string;
  /** Undefined outside production: the key store's passphrase is then derived from the master secret. */
  keyPassphrase: string | undefined;
  /** Set when CA_KEYSTORE=pkcs11: the token that holds the keys of its families. */
  pkcs11: Pkcs11Config | undefined;
  crlRefreshMinutes: number;
}

export interface Pkcs11Config {
  modulePath: string;
  tokenLabel: string;
  pin: string;
  /** Families whose keys are made and kept on the token; the others stay in keystoreDir. */
  families: KeyFamily[];
  sm2Mechanism: number | undefined;
}

export interface AuthPolicy {
  codeTtlSeconds: number;
  codeMaxFailures: number;
  resendCooldownSeconds: number;
  codesPerPhonePerDay: number;
  codesPerIpPerHour: number;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
}

export const defaultAuthPolicy: AuthPolicy = {
  codeTtlSeconds: 5 * 60,
  codeMaxFailures: 5,
  resendCooldownSeconds: 60,
  codesPerPhonePerDay: 10,
  codesPerIpPerHour: 30,
  sessionIdleSeconds: 30 * 60,
  sessionAbsoluteSeconds: 12 * 60 * 60,
};

/** ALIYUN_SMS_TEMPLATE_LOGIN_CODE …: the gateway's code of each template, its spec's code by default. */
const smsTemplateSettings = z.object(
  Object.fromEntries(smsTemplateCodes.map((code) => [smsTemplateSetting(code), z.string().min(1).default(smsTemplateSpecs[code].gatewayCode)])),
);

function smsTemplateGatewayCodes(env: NodeJS.ProcessEnv): Record<SmsTemplate, string> {
  const settings = smsTemplateSettings.parse(env) as Record<string, string>;
  return Object.fromEntries(smsTemplateCodes.map((code) => [code, settings[smsTemplateSetting(code)] ?? smsTemplateSpecs[code].gatewayCode])) as Record<SmsTemplate, string>;
}

/** A made-up but well-formed 统一社会信用代码 (呼和浩特) for the demo seller; never used in production. */
const DEMO_SELLER_TAX_NUMBER = '91150100MA0CERTD94';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Key files are read now, so that a missing one stops the start rather than the first payment. */
function wechatPayFromEnv(e: z.infer<typeof envSchema>): WechatPaySettings {
  const read = (file: string, name: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      throw new ConfigError(`${name} 指向的文件无法读取：${file}`);
    }
  };
  const platformPublicKeys: Record<string, string> = {};
  for (const pair of (e.WECHATPAY_PLATFORM_PUBLIC_KEYS ?? '').split(',').filter(Boolean)) {
    const [serial, file] = pair.split('=');
    if (!serial || !file) throw new ConfigError('WECHATPAY_PLATFORM_PUBLIC_KEYS 格式应为 序列号=文件路径[,序列号=文件路径]');
    platformPublicKeys[serial.trim()] = read(file.trim(), 'WECHATPAY_PLATFORM_PUBLIC_KEYS');
  }
  const apiV3Key = e.WECHATPAY_APIV3_KEY ?? '';
  if (Buffer.byteLength(apiV3Key) !== 32) throw new ConfigError('WECHATPAY_APIV3_KEY 应为 32 字节');
  return {
    provider: 'wechatpay',
    baseUrl: e.WECHATPAY_BASE_URL,
    mchid: e.WECHATPAY_MCHID ?? '',
    appid: e.WECHATPAY_APPID ?? '',
    merchantSerialNo: e.WECHATPAY_MERCHANT_SERIAL_NO ?? '',
    merchantPrivateKeyPem: read(e.WECHATPAY_MERCHANT_PRIVATE_KEY_FILE ?? '', 'WECHATPAY_MERCHANT_PRIVATE_KEY_FILE'),
    platformPublicKeys,
    apiV3Key,
    notifyUrl: e.WECHATPAY_NOTIFY_URL,
  };
}

const keyFamilyNames: readonly KeyFamily[] = ['sm2', 'p256'];

function pkcs11FromEnv(e: z.infer<typeof envSchema>): Pkcs11Config | undefined {
  if (e.CA_KEYSTORE !== 'pkcs11') return undefined;
  const missing = (['CA_PKCS11_TOKEN_LABEL', 'CA_PKCS11_PIN'] as const).filter((k) => !e[k]);
  if (missing.length > 0) throw new ConfigError(`CA_KEYSTORE=pkcs11 缺少环境变量：${missing.join(', ')}`);
  const names = e.CA_PKCS11_FAMILIES.split(',').map((f) => f.trim()).filter(Boolean);
  const families = keyFamilyNames.filter((f) => names.includes(f));
  if (families.length === 0 || families.length !== new Set(names).size) {
    throw new ConfigError(`CA_PKCS11_FAMILIES 应为 ${keyFamilyNames.join('、')} 中的一个或多个，以逗号分隔`);
  }
  if (families.includes('sm2') && e.CA_PKCS11_SM2_MECHANISM === undefined) {
    throw new ConfigError('CA_PKCS11_FAMILIES 包含 sm2 时须设置 CA_PKCS11_SM2_MECHANISM（密码设备的 SM2 签名机制编号；softhsm2 不支持 SM2）');
  }
  return {
    modulePath: e.CA_PKCS11_MODULE,
    tokenLabel: e.CA_PKCS11_TOKEN_LABEL ?? '',
    pin: e.CA_PKCS11_PIN ?? '',
    families,
    sm2Mechanism: e.CA_PKCS11_SM2_MECHANISM,
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const DEFAULT_SMTP_PORTS: Record<MailSecurity, number> = { tls: 465, starttls: 587, none: 25 };

/** MAIL_FROM must name exactly one mailbox: a typo here would send every invoice from nowhere. */
function mailFrom(value: string): string {
  const mailboxes = addressparser(value, { flatten: true });
  const address = mailboxes[0]?.address ?? '';
  if (mailboxes.length !== 1 || !z.email().safeParse(address).success) {
    throw new ConfigError(`MAIL_FROM 应为一个发件地址，例如 “某某CA <invoice@example.com>”：${value}`);
  }
  return value;
}

function mailFromEnv(e: z.infer<typeof envSchema>, provider: MailConfig['provider']): MailConfig {
  const from = mailFrom(e.MAIL_FROM ?? `${e.CA_NAME} <invoice@certdesk.example>`);
  const simulatorPort = e.MAIL_SIMULATOR_PORT ?? (e.PORT === 0 ? 0 : 2525);
  const simulatorPortFallback = e.MAIL_SIMULATOR_PORT === undefined;
  if (provider === 'simulator') {
    // The simulator checks the login like a server; these demo credentials never leave loopback.
    return { provider, host: '127.0.0.1', port: undefined, security: 'none', user: 'certdesk', password: 'mail-simulator-secret-not-for-production', from, simulatorPort, simulatorPortFallback };
  }
  const host = e.MAIL_SMTP_HOST ?? '';
  if (e.MAIL_SMTP_USER !== undefined && e.MAIL_SMTP_PASSWORD === undefined) throw new ConfigError('设置了 MAIL_SMTP_USER 时须同时设置 MAIL_SMTP_PASSWORD');
  if (e.MAIL_SMTP_SECURE === 'none' && !LOOPBACK_HOSTS.has(host)) {
    throw new ConfigError('MAIL_SMTP_SECURE=none 只能用于本机邮件中继（127.0.0.1）：经网络发送邮件须使用 tls 或 starttls，否则口令以明文传输');
  }
  return {
    provider,
    host,
    port: e.MAIL_SMTP_PORT ?? DEFAULT_SMTP_PORTS[e.MAIL_SMTP_SECURE],
    security: e.MAIL_SMTP_SECURE,
    user: e.MAIL_SMTP_USER,
    password: e.MAIL_SMTP_USER === undefined ? undefined : e.MAIL_SMTP_PASSWORD,
    from,
    simulatorPort,
    simulatorPortFallback,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`配置有误：\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.CERTDESK_MODE === 'production';
  const smsProvider = e.SMS_PROVIDER ?? (production ? 'aliyun' : 'simulator');
  const registryProvider = e.REGISTRY_PROVIDER ?? (production ? 'aliyun' : 'simulator');
  const wechatProvider = e.WECHATPAY_PROVIDER ?? (production ? 'wechatpay' : 'simulator');
  const mailProvider = e.MAIL_PROVIDER ?? (production ? 'smtp' : 'simulator');
  const einvoiceProvider = e.EINVOICE_PROVIDER ?? (production ? 'nuonuo' : 'simulator');

  const pkcs11 = pkcs11FromEnv(e);

  if (production) {
    const missing: string[] = [];
    if (!e.CERTDESK_SECRET) missing.push('CERTDESK_SECRET');
    // Needed while any family's keys are in files; not when the token holds them all.
    const inFiles = keyFamilyNames.some((f) => !pkcs11?.families.includes(f));
    if (inFiles && !e.CA_KEY_PASSPHRASE) missing.push('CA_KEY_PASSPHRASE');
    if (smsProvider === 'aliyun') {
      if (!e.ALIYUN_SMS_ACCESS_KEY_ID) missing.push('ALIYUN_SMS_ACCESS_KEY_ID');
      if (!e.ALIYUN_SMS_ACCESS_KEY_SECRET) missing.push('ALIYUN_SMS_ACCESS_KEY_SECRET');
    }
    if (registryProvider === 'aliyun') {
      if (!e.ALIYUN_CLOUDAUTH_ACCESS_KEY_ID) missing.push('ALIYUN_CLOUDAUTH_ACCESS_KEY_ID');
      if (!e.ALIYUN_CLOUDAUTH_ACCESS_KEY_SECRET) missing.push('ALIYUN_CLOUDAUTH_ACCESS_KEY_SECRET');
    }
    if (mailProvider === 'smtp') {
      if (!e.MAIL_SMTP_HOST) missing.push('MAIL_SMTP_HOST');
      if (!e.MAIL_FROM) missing.push('MAIL_FROM');
    }
    if (!e.BANK_NAME) missing.push('BANK_NAME');
    if (!e.BANK_ACCOUNT_NUMBER) missing.push('BANK_ACCOUNT_NUMBER');
    if (wechatProvider === 'wechatpay') {
      for (const k of [
        'WECHATPAY_MCHID',
        'WECHATPAY_APPID',
        'WECHATPAY_MERCHANT_SERIAL_NO',
        'WECHATPAY_MERCHANT_PRIVATE_KEY_FILE',
        'WECHATPAY_PLATFORM_PUBLIC_KEYS',
        'WECHATPAY_APIV3_KEY',
      ] as const) {
        if (!e[k]) missing.push(k);
      }
    }
    if (einvoiceProvider === 'nuonuo') {
      for (const k of [
        'EINVOICE_APP_KEY',
        'EINVOICE_APP_SECRET',
        'EINVOICE_SELLER_TAX_NUMBER',
        'EINVOICE_SELLER_ADDRESS',
        'EINVOICE_SELLER_PHONE',
        'EINVOICE_SELLER_BANK_ACCOUNT',
        'EINVOICE_CLERK',
      ] as const) {
        if (!e[k]) missing.push(k);
      }
    }
    if (missing.length > 0) {
      throw new ConfigError(`生产模式缺少必需的环境变量：${missing.join(', ')}`);
    }
    if (wechatProvider === 'simulator') {
      throw new ConfigError('生产模式不能使用微信支付模拟器：请设置 WECHATPAY_PROVIDER=wechatpay');
    }
    if (smsProvider === 'simulator') {
      throw new ConfigError('生产模式不能使用短信模拟器：请设置 SMS_PROVIDER=aliyun');
    }
    if (mailProvider === 'simulator') {
      throw new ConfigError('生产模式不能使用邮件模拟器：请设置 MAIL_PROVIDER=smtp');
    }
    if (registryProvider === 'simulator') {
      throw new ConfigError('生产模式不能使用实名认证模拟器：请设置 REGISTRY_PROVIDER=aliyun');
    }
    if (einvoiceProvider === 'simulator') {
      throw new ConfigError('生产模式不能使用电子发票模拟器：请设置 EINVOICE_PROVIDER=nuonuo');
    }
  }
  const sellerTaxNumber = (e.EINVOICE_SELLER_TAX_NUMBER ?? DEMO_SELLER_TAX_NUMBER).trim().toUpperCase();
  if (usccProblem(sellerTaxNumber) !== undefined) {
    throw new ConfigError('EINVOICE_SELLER_TAX_NUMBER 应为18位统一社会信用代码（校验位正确）');
  }

  if (mailProvider === 'smtp' && !e.MAIL_SMTP_HOST) throw new ConfigError('MAIL_PROVIDER=smtp 缺少环境变量：MAIL_SMTP_HOST');

  if (e.BLOB_STORE === 's3') {
    const missingS3 = (['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter((k) => !e[k]);
    if (missingS3.length > 0) throw new ConfigError(`BLOB_STORE=s3 缺少环境变量：${missingS3.join(', ')}`);
  }

  const dataDir = path.resolve(e.DATA_DIR);
  return {
    mode: e.CERTDESK_MODE,
    devPages: !production,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    dataDir,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL }
      : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
    secret: e.CERTDESK_SECRET,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    metricsToken: e.METRICS_TOKEN,
    cookieSecure: e.COOKIE_SECURE,
    sms:
      smsProvider === 'aliyun'
        ? {
            provider: 'aliyun',
            endpoint: e.ALIYUN_SMS_ENDPOINT,
            accessKeyId: e.ALIYUN_SMS_ACCESS_KEY_ID ?? '',
            accessKeySecret: e.ALIYUN_SMS_ACCESS_KEY_SECRET ?? '',
            signName: e.ALIYUN_SMS_SIGN_NAME,
            templates: smsTemplateGatewayCodes(env),
            sendConcurrency: e.SMS_SEND_CONCURRENCY,
          }
        : {
            // The simulator checks signatures like the gateway; these demo keys never leave loopback.
            provider: 'simulator',
            endpoint: undefined,
            accessKeyId: 'LTAI-certdesk-simulator',
            accessKeySecret: 'simulator-secret-not-for-production',
            signName: e.ALIYUN_SMS_SIGN_NAME,
            templates: smsTemplateGatewayCodes(env),
            sendConcurrency: e.SMS_SEND_CONCURRENCY,
          },
    mail: mailFromEnv(e, mailProvider),
    caName: e.CA_NAME,
    pickupAddress: e.PICKUP_ADDRESS,
    autoCompleteDays: e.AUTO_COMPLETE_DAYS,
    reviewWaitLimitHours: e.REVIEW_WAIT_LIMIT_HOURS,
    renewal: { opensDaysBefore: e.RENEWAL_OPENS_DAYS_BEFORE, graceDaysAfter: e.RENEWAL_GRACE_DAYS, reminderDays: e.RENEWAL_REMINDER_DAYS },
    platforms: {
      keyOverlapDays: e.PLATFORM_KEY_OVERLAP_DAYS,
      signatureSkewSeconds: e.PLATFORM_SIGNATURE_SKEW_SECONDS,
      webhook: { timeoutMs: e.WEBHOOK_TIMEOUT_MS, maxAttempts: e.WEBHOOK_MAX_ATTEMPTS, retryDelaySeconds: e.WEBHOOK_RETRY_DELAY_SECONDS, concurrency: e.WEBHOOK_CONCURRENCY },
    },
    unlock: { perKeyPerHour: e.UNLOCK_PER_KEY_PER_HOUR, perHolderPerDay: e.UNLOCK_PER_HOLDER_PER_DAY },
    registry:
      registryProvider === 'aliyun'
        ? {
            provider: 'aliyun',
            endpoint: e.ALIYUN_CLOUDAUTH_ENDPOINT,
            accessKeyId: e.ALIYUN_CLOUDAUTH_ACCESS_KEY_ID ?? '',
            accessKeySecret: e.ALIYUN_CLOUDAUTH_ACCESS_KEY_SECRET ?? '',
          }
        : {
            provider: 'simulator',
            endpoint: undefined,
            accessKeyId: 'LTAI-certdesk-registry-simulator',
            accessKeySecret: 'registry-simulator-secret-not-for-production',
          },
    blobs:
      e.BLOB_STORE === 's3'
        ? {
            kind: 's3',
            endpoint: e.S3_ENDPOINT,
            region: e.S3_REGION,
            bucket: e.S3_BUCKET ?? '',
            accessKeyId: e.S3_ACCESS_KEY_ID ?? '',
            secretAccessKey: e.S3_SECRET_ACCESS_KEY ?? '',
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
            prefix: e.S3_PREFIX,
          }
        : { kind: 'local' },
    payments: {
      bank: {
        accountName: e.BANK_ACCOUNT_NAME ?? e.CA_NAME,
        bankName: e.BANK_NAME ?? '中国工商银行呼和浩特分行营业部（演示账户）',
        accountNumber: e.BANK_ACCOUNT_NUMBER ?? '0602 0000 0000 0000 000',
      },
      wechat: wechatProvider === 'wechatpay' ? wechatPayFromEnv(e) : { provider: 'simulator' },
      orderTtlMinutes: e.PAYMENT_ORDER_TTL_MINUTES,
    },
    einvoice: {
      provider: einvoiceProvider,
      endpoint: einvoiceProvider === 'nuonuo' ? e.EINVOICE_ENDPOINT : undefined,
      tokenUrl: einvoiceProvider === 'nuonuo' ? e.EINVOICE_TOKEN_URL : undefined,
      // The simulator checks signatures like the platform; these demo keys never leave loopback.
      appKey: e.EINVOICE_APP_KEY ?? (einvoiceProvider === 'simulator' ? 'certdesk-einvoice-simulator' : ''),
      appSecret: e.EINVOICE_APP_SECRET ?? (einvoiceProvider === 'simulator' ? 'einvoice-simulator-secret-not-for-production' : ''),
      accessToken: e.EINVOICE_ACCESS_TOKEN,
      seller: {
        name: e.EINVOICE_SELLER_NAME ?? e.CA_NAME,
        taxNumber: sellerTaxNumber,
        address: e.EINVOICE_SELLER_ADDRESS ?? '内蒙古自治区呼和浩特市赛罕区敕勒川大街1号',
        phone: e.EINVOICE_SELLER_PHONE ?? '0471-3456789',
        bankAccount:
          e.EINVOICE_SELLER_BANK_ACCOUNT ??
          `${e.BANK_NAME ?? '中国工商银行呼和浩特分行营业部（演示账户）'} ${(e.BANK_ACCOUNT_NUMBER ?? '0602 0000 0000 0000 000').replace(/\s+/g, '')}`,
      },
      service: { goodsName: e.EINVOICE_GOODS_NAME, taxCode: e.EINVOICE_TAX_CODE, taxRateBp: e.EINVOICE_TAX_RATE },
      clerk: e.EINVOICE_CLERK ?? '演示开票员',
      timeoutMs: e.EINVOICE_TIMEOUT_SECONDS * 1000,
    },
    ca: {
      baseUrl: (e.CA_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
      keystoreDir: path.resolve(e.CA_KEYSTORE_DIR ?? path.join(dataDir, 'ca-keys')),
      keyPassphrase: e.CA_KEY_PASSPHRASE,
      pkcs11,
      crlRefreshMinutes: e.CRL_REFRESH_MINUTES,
    },
    auth: {
      ...defaultAuthPolicy,
      resendCooldownSeconds: e.AUTH_CODE_RESEND_SECONDS,
      codesPerPhonePerDay: e.AUTH_CODES_PER_PHONE_PER_DAY,
      codesPerIpPerHour: e.AUTH_CODES_PER_IP_PER_HOUR,
    },
  };
}
