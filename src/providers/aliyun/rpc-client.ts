/**
 * The client side of an Alibaba Cloud RPC-style call, shared by the SMS and the registry adapters:
 * the common parameters, the signed form body, one POST with a timeout that also covers the body,
 * and the redaction of the vendor's messages. What to retry and which error to throw stays with
 * each adapter, whose callers want different things (a job queue, a person waiting).
 */
import { percentEncode, sign } from './signature.ts';

export interface CommonParamsInput {
  action: string;
  version: string;
  accessKeyId: string;
  nonce: string;
  timestamp: Date;
}

function alibabaTimestamp(date: Date): string {
  // ISO 8601 UTC to the second: Alibaba documents yyyy-MM-ddTHH:mm:ssZ.
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The parameters every RPC call carries, in the order they are sent; Signature comes last. */
export function commonParams(input: CommonParamsInput): Record<string, string> {
  return {
    Action: input.action,
    Version: input.version,
    Format: 'JSON',
    AccessKeyId: input.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: input.nonce,
    Timestamp: alibabaTimestamp(input.timestamp),
  };
}

/** `params` with its Signature appended, encoded as a form body (or query string). */
export function signedForm(method: string, params: Record<string, string>, accessKeySecret: string): string {
  const signed = { ...params, Signature: sign(method, params, accessKeySecret) };
  return Object.entries(signed)
    .map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`)
    .join('&');
}

export type PostOutcome =
  | { kind: 'answer'; status: number; text: string }
  | { kind: 'timeout' }
  /** `detail`: the cause's code only, e.g. ECONNREFUSED; fetch errors can quote the request. */
  | { kind: 'network'; detail: string };

/** One form POST. Never throws: what went wrong is for the adapter to classify. */
export async function postForm(endpoint: string, body: string, timeoutMs: number): Promise<PostOutcome> {
  try {
    // The timeout signal also covers reading the body, so a vendor that stalls mid-answer cannot
    // hold the caller beyond the budget either.
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { kind: 'answer', status: res.status, text: await res.text() };
  } catch (err) {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return { kind: 'timeout' };
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
    const detail = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : 'fetch failed';
    return { kind: 'network', detail };
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The vendor's message minus anything secret. A SignatureDoesNotMatch message quotes the whole
 * string-to-sign, which holds every parameter sent (the SMS code, the applicant's ID number and
 * phone). Secrets shorter than `minSecretLength` are left alone; each adapter keeps its own floor.
 */
export function redact(message: string, secrets: string[], minSecretLength = 2): string {
  let out = message.replace(/\s*server string to sign is:[\s\S]*$/i, '');
  for (const secret of secrets) {
    if (secret.length < minSecretLength) continue;
    for (const form of new Set([secret, percentEncode(secret), percentEncode(percentEncode(secret))])) {
      out = out.split(form).join('***');
    }
  }
  return out.length > 200 ? `${out.slice(0, 200)}…` : out;
}
