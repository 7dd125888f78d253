/**
 * Every setting CertDesk reads, parsed once from the environment and validated.
 * Nothing else in the code reads process.env. The defaults run the demo: embedded database,
 * simulators for every outside party, /dev pages on.
 */
import path from 'node:path';
import { z } from 'zod';

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
  /** Force the Secure cookie flag; by default it is set when the request arrived over HTTPS. */
  COOKIE_SECURE: bool.optional(),

  /** Login-code limits; the defaults are the platform's policy, change them only with reason. */
  AUTH_CODE_RESEND_SECONDS: z.coerce.number().int().min(0).default(60),
  AUTH_CODES_PER_PHONE_PER_DAY: z.coerce.number().int().min(1).default(10),
  AUTH_CODES_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(30),

  SMS_PROVIDER: z.enum(['simulator', 'aliyun']).optional(),
  ALIYUN_SMS_ENDPOINT: z.url().default('https://dysmsapi.aliyuncs.com/'),
  ALIYUN_SMS_ACCESS_KEY_ID: z.string().optional(),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z.string().optional(),
  ALIYUN_SMS_SIGN_NAME: z.string().default('CertDesk'),
  ALIYUN_SMS_TEMPLATE_LOGIN_CODE: z.string().default('SMS_CERTDESK_LOGIN'),
});

export type Mode = 'demo' | 'development' | 'production';

export interface SmsConfig {
  provider: 'simulator' | 'aliyun';
  /** For the simulator, filled in once the server knows its own port. */
  endpoint: string | undefined;
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  templates: { login_code: string };
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
  cookieSecure: boolean | undefined;
  sms: SmsConfig;
  auth: AuthPolicy;
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

export class ConfigError extends Error {
  override name = 'ConfigError';
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

  if (production) {
    const missing: string[] = [];
    if (!e.CERTDESK_SECRET) missing.push('CERTDESK_SECRET');
    if (smsProvider === 'aliyun') {
      if (!e.ALIYUN_SMS_ACCESS_KEY_ID) missing.push('ALIYUN_SMS_ACCESS_KEY_ID');
      if (!e.ALIYUN_SMS_ACCESS_KEY_SECRET) missing.push('ALIYUN_SMS_ACCESS_KEY_SECRET');
    }
    if (missing.length > 0) {
      throw new ConfigError(`生产模式缺少必需的环境变量：${missing.join(', ')}`);
    }
    if (smsProvider === 'simulator') {
      throw new ConfigError('生产模式不能使用短信模拟器：请设置 SMS_PROVIDER=aliyun');
    }
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
    cookieSecure: e.COOKIE_SECURE,
    sms:
      smsProvider === 'aliyun'
        ? {
            provider: 'aliyun',
            endpoint: e.ALIYUN_SMS_ENDPOINT,
            accessKeyId: e.ALIYUN_SMS_ACCESS_KEY_ID ?? '',
            accessKeySecret: e.ALIYUN_SMS_ACCESS_KEY_SECRET ?? '',
            signName: e.ALIYUN_SMS_SIGN_NAME,
            templates: { login_code: e.ALIYUN_SMS_TEMPLATE_LOGIN_CODE },
          }
        : {
            // The simulator checks signatures like the gateway; these demo keys never leave loopback.
            provider: 'simulator',
            endpoint: undefined,
            accessKeyId: 'LTAI-certdesk-simulator',
            accessKeySecret: 'simulator-secret-not-for-production',
            signName: e.ALIYUN_SMS_SIGN_NAME,
            templates: { login_code: e.ALIYUN_SMS_TEMPLATE_LOGIN_CODE },
          },
    auth: {
      ...defaultAuthPolicy,
      resendCooldownSeconds: e.AUTH_CODE_RESEND_SECONDS,
      codesPerPhonePerDay: e.AUTH_CODES_PER_PHONE_PER_DAY,
      codesPerIpPerHour: e.AUTH_CODES_PER_IP_PER_HOUR,
    },
  };
}
