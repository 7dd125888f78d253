/** platforms' answers as zod schemas: the relying platforms' API and the 管理员's 接入平台 (see src/http/contract.ts). */
import { z } from 'zod';
import { successions } from '../../domain/aftersales.ts';

// ── the platforms' API ──

export const platformCertificate = z.object({
  serial: z.string(),
  profile: z.string(),
  profileLabel: z.string().meta({ description: '单位签名证书 / 单位加密证书' }),
  family: z.string(),
  orgName: z.string().nullable(),
  uscc: z.string().nullable(),
  notBefore: z.string(),
  notAfter: z.string(),
  status: z.enum(['valid', 'renewed', 'revoked', 'expired']),
  statusLabel: z.string().meta({ description: '有效 / 已续期 / 已吊销 / 已过期' }),
  revokedAt: z.string().nullable(),
  revocationReason: z.string().nullable(),
  predecessorSerial: z.string().nullable().meta({ description: '续期自（原证书序列号）' }),
  successorSerial: z.string().nullable().meta({ description: '接替它的新证书序列号（续期、变更或补办）' }),
  succession: z.enum(successions).nullable().meta({ description: '新证书接替的原因：renewed 续期、changed 变更、reissued 补办' }),
  pairSerial: z.string().nullable().meta({ description: '双证书中的另一张（SM2 签名 / 加密）' }),
});
export const platformCertificateList = z.object({ certificates: z.array(platformCertificate) });
export const platformCertificateFile = platformCertificate.extend({ pem: z.string(), derBase64: z.string() });

export const platformApplication = z.object({
  number: z.string(),
  kind: z.string(),
  kindLabel: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  orgName: z.string().nullable(),
  uscc: z.string().nullable(),
  projectId: z.string().nullable(),
  submittedAt: z.string().nullable(),
  timeline: z.array(z.object({ at: z.string(), title: z.string(), statusLabel: z.string().nullable() })),
});

// ── 系统管理 → 接入平台 ──

export const apiKeyView = z.object({
  keyId: z.string(),
  fingerprint: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  state: z.enum(['active', 'expiring', 'expired', 'revoked']),
  stateLabel: z.string(),
});
export const platformView = z.object({
  id: z.string(),
  name: z.string(),
  contact: z.string(),
  webhookUrl: z.string().nullable(),
  projectIds: z.array(z.string()),
  createdAt: z.string(),
  keys: z.array(apiKeyView),
});
export type PlatformView = z.infer<typeof platformView>;
export const platformList = z.object({ platforms: z.array(platformView) });
export type PlatformList = z.infer<typeof platformList>;
export const platformAnswer = z.object({ platform: platformView });
export type PlatformAnswer = z.infer<typeof platformAnswer>;
/** The secret is in this answer only: it is not stored and cannot be shown again. */
export const platformCredentials = z.object({ platform: platformView, credentials: z.object({ keyId: z.string(), secret: z.string() }) });
export type PlatformCredentials = z.infer<typeof platformCredentials>;

export const webhookDeliveryView = z.object({
  id: z.string(),
  eventId: z.string(),
  type: z.string(),
  typeLabel: z.string(),
  applicationNumber: z.string(),
  occurredAt: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  statusLabel: z.string(),
  attempts: z.number(),
  lastStatusCode: z.number().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  history: z.array(
    z.object({
      at: z.string(),
      attempt: z.number(),
      trigger: z.enum(['auto', 'resend']),
      statusCode: z.number().nullable(),
      error: z.string().nullable(),
      durationMs: z.number(),
    }),
  ),
});
export type WebhookDeliveryView = z.infer<typeof webhookDeliveryView>;
export const webhookDeliveryList = z.object({ deliveries: z.array(webhookDeliveryView) });
export type WebhookDeliveryList = z.infer<typeof webhookDeliveryList>;
