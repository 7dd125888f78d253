/**
 * Keys derived from the one master secret. In production the secret comes from CERTDESK_SECRET;
 * in demo and development a random one is made on first start and kept in the settings table,
 * so every instance on the same database derives the same keys.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { settings } from '../db/schema.ts';

export interface Keys {
  /** HMAC key for login codes: a copied table cannot be brute-forced without it. */
  codeHmac: Buffer;
  /** AES-256-GCM key for job payloads that carry secrets (an SMS with a code). */
  jobSeal: Buffer;
  /** AES-256-GCM key for staff TOTP secrets: a copied staff table does not yield second factors. */
  totpSeal: Buffer;
  /** Passphrase of the CA key store outside production (production sets CA_KEY_PASSPHRASE). */
  caKeyPassphrase: string;
  /** Root from which each relying platform's API secret is derived (modules/platforms/credentials.ts). */
  platformKeyRoot: Buffer;
}

function derive(master: string, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, 'certdesk', label, 32));
}

export function deriveKeys(master: string): Keys {
  return {
    codeHmac: derive(master, 'login-code-hmac'),
    jobSeal: derive(master, 'job-seal'),
    totpSeal: derive(master, 'staff-totp-seal'),
    caKeyPassphrase: derive(master, 'ca-keystore-passphrase').toString('base64url'),
    platformKeyRoot: derive(master, 'platform-api-key-root'),
  };
}

export async function loadMasterSecret(config: Config, db: Db, now: Date): Promise<string> {
  if (config.secret) return config.secret;
  const key = 'demo_master_secret';
  // Insert-if-absent then read: two instances starting together end up with the same value.
  await db
    .insert(settings)
    .values({ key, value: randomBytes(32).toString('base64url'), updatedAt: now })
    .onConflictDoNothing();
  const [row] = await db.select().from(settings).where(eq(settings.key, key));
  if (!row) throw new Error('master secret missing after insert');
  return row.value;
}

export function hmacHex(key: Buffer, ...parts: string[]): string {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

/** Encrypts a JSON value so that the job table holds no readable secret. */
export function seal(key: Buffer, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function unseal(key: Buffer, sealed: string): unknown {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  const body = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  return JSON.parse(body.toString('utf8'));
}
