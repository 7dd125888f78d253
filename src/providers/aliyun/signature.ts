/**
 * Alibaba Cloud RPC-style request signature, Signature Version 1.0 (HMAC-SHA1), as used by
 * dysmsapi SendSms (2017-05-25) and Cloudauth (Mobile3MetaDetailVerify, EntElementVerify). Pure
 * functions: the real adapters sign with them and the loopback simulators verify with them, so both
 * sides agree by construction and the published worked examples in the tests pin them to Alibaba's
 * own calculation.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignedParams = Readonly<Record<string, string>>;

/**
 * RFC 3986 encoding as Alibaba specifies it. encodeURIComponent leaves `!'()*` alone and never
 * produces `+`, so only those five need fixing; `~` is already left unencoded.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function byteOrder(a: string, b: string): number {
  // Alibaba sorts by byte order; UTF-16 code-unit order (Array#sort's default) differs from UTF-8
  // byte order for astral characters, so compare the UTF-8 bytes.
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Sorted `key=value` pairs, both percent-encoded, joined with `&`; `Signature` itself excluded. */
export function canonicalize(params: SignedParams): string {
  return Object.keys(params)
    .filter((key) => key !== 'Signature')
    .sort(byteOrder)
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key] ?? '')}`)
    .join('&');
}

export function stringToSign(method: string, params: SignedParams): string {
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalize(params))}`;
}

export function sign(method: string, params: SignedParams, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign(method, params), 'utf8').digest('base64');
}

/** Whether `params.Signature` is the right signature for the other params under this secret. */
export function verify(method: string, params: SignedParams, accessKeySecret: string): boolean {
  const given = params['Signature'];
  if (given === undefined) return false;
  const expected = Buffer.from(sign(method, params, accessKeySecret), 'utf8');
  const actual = Buffer.from(given, 'utf8');
  // An HMAC-SHA1 in base64 always has the same length, so refusing on length leaks nothing.
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
