/**
 * One Alibaba Cloud RPC-style call (form-encoded POST, Signature Version 1.0 HMAC-SHA1, JSON
 * answer) with the failure policy of a check a person is waiting for: a few quick retries of what
 * may pass on its own (timeouts, network, 5xx, throttling), an immediate answer for what cannot
 * (credentials, permissions, malformed data), and never the applicant's data in an error message.
 * The request itself (common parameters, signature, POST, redaction) is ../aliyun/, shared with
 * the SMS adapter; the vendor's published examples pin the signature.
 */
import { z } from 'zod';
import { commonParams, parseJson, postForm, redact, signedForm } from '../aliyun/rpc-client.ts';
import { RegistryConfigurationError, RegistryInputRejected, RegistryUnavailable } from './types.ts';

export interface RpcPolicy {
  /** e.g. https://cloudauth.aliyuncs.com/ */
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** Further attempts after the first one. */
  retries: number;
  /** Per attempt, covering connect, answer and body. */
  timeoutMs: number;
  /** Delay before the first retry; doubled for each further one, with jitter. */
  backoffMs: number;
  now: () => Date;
  nonce: () => string;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface RpcCall {
  action: string;
  version: string;
  successCode: string;
  /** The action's own parameters; the common ones and the signature are added here. */
  params: Record<string, string>;
  /** Values that must never reach an error message (the applicant's data as sent). */
  secrets: string[];
}

export interface RpcAnswer {
  body: Record<string, unknown>;
  requestId: string | undefined;
  attempts: number;
}

const envelopeSchema = z.looseObject({
  // Lenient on the type: a refusal must be classified by its Code even if a gateway sends a number.
  Code: z.union([z.string(), z.number()]).transform(String),
  Message: z.string().optional(),
  RequestId: z.string().optional(),
});

type Outcome =
  | { kind: 'answer'; body: Record<string, unknown>; requestId: string | undefined }
  | { kind: 'transient'; code: string; detail: string };

export type RefusalKind = 'transient' | 'input' | 'configuration';

/**
 * How a refusal is handled. Everything not known to pass on its own or to be the applicant's
 * data is treated as configuration: retrying it only spends the user's patience, and 稍后再试 would
 * send them back to the same refusal.
 */
export function classifyRefusal(code: string, httpStatus: number): RefusalKind {
  if (
    code.startsWith('Throttling') ||
    code.startsWith('InternalError') ||
    code.startsWith('ServiceUnavailable') ||
    code === 'ServiceTimeout' ||
    // A fresh nonce is drawn for every attempt, so a collision does not repeat.
    code === 'SignatureNonceUsed' ||
    // Cloudauth 2019-03-07 answers its own faults with numeric Codes.
    code === '500' ||
    code === '503'
  ) {
    return 'transient';
  }
  // Cloudauth's 参数非法: "401" in the 2019-03-07 API; InvalidParameter with HTTP 401 in 2022-11-25.
  // The gateway's own InvalidParameter (HTTP 400) concerns the common parameters, i.e. this code.
  if (code === '401' || (code === 'InvalidParameter' && httpStatus === 401)) return 'input';
  if (httpStatus >= 500 || httpStatus === 429) return 'transient';
  return 'configuration';
}

/** Exponential backoff with "equal jitter", so that many instances do not retry in step. */
export function backoffDelay(policy: Pick<RpcPolicy, 'backoffMs' | 'random'>, retry: number): number {
  const ceiling = policy.backoffMs * 2 ** (retry - 1);
  return Math.round(ceiling / 2 + (policy.random() * ceiling) / 2);
}

export async function callRpc(policy: RpcPolicy, call: RpcCall): Promise<RpcAnswer> {
  const attempts = Math.max(0, Math.floor(policy.retries)) + 1;
  let last: Extract<Outcome, { kind: 'transient' }> = { kind: 'transient', code: 'NotAttempted', detail: '' };
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    if (attempt > 1) await policy.sleep(backoffDelay(policy, attempt - 1));
    const outcome = await attemptOnce(policy, call);
    if (outcome.kind === 'answer') return { body: outcome.body, requestId: outcome.requestId, attempts: attempt };
    last = outcome;
  }
  throw new RegistryUnavailable(
    `${call.action} unavailable after ${attempts} attempt(s): ${last.code}${last.detail}`,
    last.code,
    attempts,
  );
}

async function attemptOnce(policy: RpcPolicy, call: RpcCall): Promise<Outcome> {
  const params: Record<string, string> = {
    ...commonParams({
      action: call.action,
      version: call.version,
      accessKeyId: policy.accessKeyId,
      nonce: policy.nonce(),
      timestamp: policy.now(),
    }),
    ...call.params,
  };
  const body = signedForm('POST', params, policy.accessKeySecret);

  // The timeout also covers reading the body, so a registry that stalls mid-answer cannot keep the
  // applicant waiting beyond the budget either.
  const outcome = await postForm(policy.endpoint, body, policy.timeoutMs);
  if (outcome.kind === 'timeout') return { kind: 'transient', code: 'Timeout', detail: ` after ${policy.timeoutMs} ms` };
  // Only the cause's code: fetch errors can quote the request, and with it the applicant's data.
  if (outcome.kind === 'network') return { kind: 'transient', code: 'NetworkError', detail: ` (${outcome.detail})` };
  const { status, text } = outcome;

  const envelope = envelopeSchema.safeParse(parseJson(text));
  if (!envelope.success) {
    const code = `HttpStatus.${status}`;
    if (status >= 500 || status === 429) return { kind: 'transient', code, detail: ' without a JSON answer' };
    throw new RegistryConfigurationError(`${call.action} answered HTTP ${status} without a JSON answer`, code);
  }
  const { Code, Message, RequestId } = envelope.data;
  if (Code === call.successCode) return { kind: 'answer', body: envelope.data, requestId: RequestId };

  const why = Message === undefined ? '' : ` (${redact(Message, [policy.accessKeySecret, ...call.secrets])})`;
  const detail = `${why}; HTTP ${status}; RequestId ${RequestId ?? '-'}`;
  switch (classifyRefusal(Code, status)) {
    case 'transient':
      return { kind: 'transient', code: Code, detail };
    case 'input':
      throw new RegistryInputRejected(`${call.action} refused the data: ${Code}${detail}`, Code);
    case 'configuration':
      throw new RegistryConfigurationError(`${call.action} refused CertDesk: ${Code}${detail}`, Code);
  }
}
