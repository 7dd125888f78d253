/**
 * The signing recipe the relying platforms and CertDesk share, in both directions: a platform
 * signs each API request, CertDesk signs each webhook. Pure: the secret, the time and the nonce
 * are passed in. The README and the OpenAPI description quote this recipe with a worked example,
 * and platform-signature.test.ts checks that example against this code.
 *
 * Request:  Authorization: CD1-HMAC-SHA256 KeyId=<key id>,Timestamp=<unix s>,Nonce=<nonce>,Signature=<hex>
 *   Signature = hex(HMAC-SHA256(secret, stringToSign)), where stringToSign is these lines joined by "\n":
 *   CD1-HMAC-SHA256 · METHOD · path · canonical query · hex(SHA-256(body)) · timestamp · nonce
 * Webhook:  X-CertDesk-Signature: t=<unix s>,v1=hex(HMAC-SHA256(secret, "<t>.<raw body>"))
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_SCHEME = 'CD1-HMAC-SHA256';
/** How far a request's timestamp may be from the server's clock, either way. */
export const DEFAULT_SKEW_SECONDS = 300;

export interface SignedRequestParts {
  method: string;
  /** The path as sent, without the query: /api/platform/v1/certificates */
  path: string;
  /** The raw query string without "?" ('' when none). */
  query: string;
  /** The raw body ('' for GET). */
  body: string | Uint8Array;
  /** Unix seconds. */
  timestamp: number;
  nonce: string;
}

export interface AuthorizationHeader {
  keyId: string;
  timestamp: number;
  nonce: string;
  signature: string;
}

/** RFC 3986 percent-encoding: encodeURIComponent plus ! ' ( ) *. */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The query as signed: each name=value decoded (a "+" is a space), encoded again per RFC 3986,
 * sorted by name then value, joined by "&". So `b=2&a=x y` and `a=x%20y&b=2` sign alike.
 */
export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      const [name, value] = i < 0 ? [p, ''] : [p.slice(0, i), p.slice(i + 1)];
      const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      return [rfc3986(decode(name)), rfc3986(decode(value))] as const;
    });
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

export function sha256Hex(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

export function stringToSign(parts: SignedRequestParts): string {
  return [SIGNATURE_SCHEME, parts.method.toUpperCase(), parts.path, canonicalQuery(parts.query), sha256Hex(parts.body), String(parts.timestamp), parts.nonce].join('\n');
}

export function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

export function signRequest(secret: string, parts: SignedRequestParts): string {
  return hmacHex(secret, stringToSign(parts));
}

export function authorizationHeader(keyId: string, secret: string, parts: SignedRequestParts): string {
  return `${SIGNATURE_SCHEME} KeyId=${keyId},Timestamp=${parts.timestamp},Nonce=${parts.nonce},Signature=${signRequest(secret, parts)}`;
}

const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

/** The header's fields, or undefined when it is not a well-formed CD1-HMAC-SHA256 header. */
export function parseAuthorization(header: string | undefined): AuthorizationHeader | undefined {
  if (!header?.startsWith(`${SIGNATURE_SCHEME} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(SIGNATURE_SCHEME.length + 1).split(',')) {
    const i = part.indexOf('=');
    if (i > 0) fields.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  const keyId = fields.get('KeyId');
  const timestamp = Number(fields.get('Timestamp'));
  const nonce = fields.get('Nonce');
  const signature = fields.get('Signature');
  if (!keyId || !Number.isSafeInteger(timestamp) || !nonce || !NONCE.test(nonce) || !signature || !/^[0-9a-f]{64}$/.test(signature)) return undefined;
  return { keyId, timestamp, nonce, signature };
}

export function timestampFresh(timestamp: number, now: Date, skewSeconds = DEFAULT_SKEW_SECONDS): boolean {
  return Math.abs(now.getTime() / 1000 - timestamp) <= skewSeconds;
}

export function sameSignature(expectedHex: string, givenHex: string): boolean {
  const a = Buffer.from(expectedHex, 'hex');
  const b = Buffer.from(givenHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The webhook's X-CertDesk-Signature value for this body, sent at `timestamp`. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${hmacHex(secret, `${timestamp}.${body}`)}`;
}

/** A receiver's check of a webhook (the README's recipe): signature and freshness. */
export function verifyWebhook(secret: string, header: string | undefined, body: string, now: Date, skewSeconds = DEFAULT_SKEW_SECONDS): boolean {
  const fields = new Map((header ?? '').split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const));
  const t = Number(fields.get('t'));
  const v1 = fields.get('v1') ?? '';
  if (!Number.isSafeInteger(t) || !/^[0-9a-f]{64}$/.test(v1) || !timestampFresh(t, now, skewSeconds)) return false;
  return sameSignature(hmacHex(secret, `${t}.${body}`), v1);
}
