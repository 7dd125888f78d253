/**
 * The cryptography of WeChat Pay API v3, shared by the adapter and the simulator so both speak it
 * the same way: the request signature (WECHATPAY2-SHA256-RSA2048 Authorization header), the
 * Wechatpay-* signature on answers and notifications, AEAD_AES_256_GCM for notification resources,
 * and the time formats on the wire.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  generateKeyPair,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';

export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
/** WeChat Pay refuses, and we refuse, signed messages whose timestamp is further off than this. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** WeChat Pay sends this prefix in a deliberately wrong signature to probe that merchants verify. */
export const SIGNATURE_PROBE_PREFIX = 'WECHATPAY/SIGNTEST/';

/** The string a merchant signs: five lines, each ending in \n, the last one the body ('' for GET). */
export function requestSigningMessage(
  method: string,
  pathAndQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return `${method.toUpperCase()}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** The string WeChat Pay signs in answers and notifications; an empty body (204) leaves a bare \n. */
export function responseSigningMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

export function rsaSign(message: string, privateKey: KeyObject | string): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');
}

/** False for a wrong signature, and for one that is not even well-formed base64 of the right length. */
export function rsaVerify(message: string, signatureBase64: string, publicKey: KeyObject | string): boolean {
  try {
    return createVerify('RSA-SHA256').update(message, 'utf8').verify(publicKey, signatureBase64, 'base64');
  } catch {
    return false;
  }
}

export interface AuthorizationParts {
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
}

export function authorizationHeader(parts: AuthorizationParts): string {
  const { mchid, nonce_str, signature, timestamp, serial_no } = parts;
  return `${AUTH_SCHEME} mchid="${mchid}",nonce_str="${nonce_str}",signature="${signature}",timestamp="${timestamp}",serial_no="${serial_no}"`;
}

const authorizationSchema = z.object({
  mchid: z.string().min(1),
  nonce_str: z.string().min(1),
  signature: z.string().min(1),
  timestamp: z.string().regex(/^\d{1,12}$/),
  serial_no: z.string().min(1),
});

/** The parts of an Authorization header, or undefined if it is not a WECHATPAY2-SHA256-RSA2048 one. */
export function parseAuthorization(header: string | undefined): AuthorizationParts | undefined {
  if (header === undefined || !header.startsWith(`${AUTH_SCHEME} `)) return undefined;
  const fields: Record<string, string> = {};
  for (const match of header.slice(AUTH_SCHEME.length + 1).matchAll(/\s*([a-z_]+)="([^"]*)"\s*(?:,|$)/g)) {
    fields[match[1] ?? ''] = match[2] ?? '';
  }
  const parsed = authorizationSchema.safeParse(fields);
  return parsed.success ? parsed.data : undefined;
}

/** 32 random alphanumerics, as WeChat Pay's own SDKs make them. */
export function randomNonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(32)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function unixSeconds(date: Date): string {
  return String(Math.floor(date.getTime() / 1000));
}

/** RFC 3339 to the second at +08:00, the form WeChat Pay documents for time_expire and returns everywhere. */
export function beijingTime(date: Date): string {
  // China has kept UTC+8 without daylight saving since 1991.
  return `${new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

/** Notification resources are encrypted under the 32-byte APIv3 key; nonce and associated data travel in clear. */
export function aeadEncrypt(apiV3Key: string, nonce: string, associatedData: string, plaintext: string): string {
  const cipher = createCipheriv('aes-256-gcm', apiV3Key32(apiV3Key), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  // The wire form is base64 of ciphertext followed by the 16-byte tag.
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64');
}

/** Throws if the key, nonce, associated data or ciphertext is wrong: GCM authenticates all of them. */
export function aeadDecrypt(apiV3Key: string, nonce: string, associatedData: string, ciphertextBase64: string): string {
  const data = Buffer.from(ciphertextBase64, 'base64');
  if (data.length < 17) throw new Error('ciphertext shorter than the GCM tag');
  const decipher = createDecipheriv('aes-256-gcm', apiV3Key32(apiV3Key), Buffer.from(nonce, 'utf8'));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
}

function apiV3Key32(apiV3Key: string): Buffer {
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== 32) throw new Error('the APIv3 key must be 32 bytes');
  return key;
}

export function privateKeyFromPem(pem: string): KeyObject {
  return createPrivateKey(pem);
}

export function publicKeyFromPem(pem: string): KeyObject {
  // A platform certificate's PEM works too: Node takes the public key out of an X.509 certificate.
  return createPublicKey(pem);
}

export interface RsaKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

const RSA_PEM = { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } } as const;

/** The same, made on libuv's thread pool: the caller's thread goes on meanwhile. */
export function generateRsaKeyPairInBackground(): Promise<RsaKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', RSA_PEM, (err, publicKeyPem, privateKeyPem) => (err ? reject(err) : resolve({ privateKeyPem, publicKeyPem })));
  });
}

export function generateRsaKeyPair(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The first value of a header as Node hands headers over (lower-case names, repeated ones as arrays). */
export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export interface WechatpaySignatureHeaders {
  timestamp: string;
  nonce: string;
  signature: string;
  serial: string;
}

export function wechatpayHeaders(signed: WechatpaySignatureHeaders): Record<string, string> {
  return {
    'Wechatpay-Timestamp': signed.timestamp,
    'Wechatpay-Nonce': signed.nonce,
    'Wechatpay-Signature': signed.signature,
    'Wechatpay-Serial': signed.serial,
    'Wechatpay-Signature-Type': AUTH_SCHEME,
  };
}

/** Signs an answer or a notification body as WeChat Pay does. */
export function signAsPlatform(
  body: string,
  key: { serial: string; privateKey: KeyObject | string },
  at: Date,
  nonce = randomNonce(),
): WechatpaySignatureHeaders {
  const timestamp = unixSeconds(at);
  return { timestamp, nonce, serial: key.serial, signature: rsaSign(responseSigningMessage(timestamp, nonce, body), key.privateKey) };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'forged' | 'stale'; detail: string };

/**
 * Checks the Wechatpay-* headers of an answer or a notification against the platform keys we hold,
 * by serial (a platform certificate's serial number, or a 微信支付公钥 id PUB_KEY_ID_…).
 */
export function checkPlatformSignature(
  headers: Record<string, string | string[] | undefined>,
  body: string,
  platformKeys: ReadonlyMap<string, KeyObject>,
  now: Date,
): SignatureCheck {
  const timestamp = headerValue(headers, 'wechatpay-timestamp');
  const nonce = headerValue(headers, 'wechatpay-nonce');
  const signature = headerValue(headers, 'wechatpay-signature');
  const serial = headerValue(headers, 'wechatpay-serial');
  if (!timestamp || !nonce || !signature || !serial) {
    return { ok: false, reason: 'forged', detail: 'Wechatpay-* signature headers missing' };
  }
  if (signature.startsWith(SIGNATURE_PROBE_PREFIX)) {
    return { ok: false, reason: 'forged', detail: 'signature probe' };
  }
  const key = platformKeys.get(serial);
  if (key === undefined) return { ok: false, reason: 'forged', detail: `unknown Wechatpay-Serial ${serial}` };
  if (!rsaVerify(responseSigningMessage(timestamp, nonce, body), signature, key)) {
    return { ok: false, reason: 'forged', detail: 'Wechatpay-Signature does not verify' };
  }
  // Checked after the signature, so a stale message is one WeChat Pay really signed: a replay.
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now.getTime() - Number(timestamp) * 1000) > MAX_CLOCK_SKEW_MS) {
    return { ok: false, reason: 'stale', detail: `Wechatpay-Timestamp ${timestamp} too far from now` };
  }
  return { ok: true };
}
