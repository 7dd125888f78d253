/**
 * What Alibaba Cloud's API gateway checks before any product sees an RPC request, for the loopback
 * simulators (SMS and registry): common parameters, Action and Version, AccessKey, Signature
 * Version 1.0, a Timestamp within 15 minutes, a nonce not seen within 15 minutes; plus the
 * plumbing both simulators share (form bodies, parameters from query and body, failure injection).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { stringToSign, verify } from './signature.ts';

export interface GatewayRefusal {
  status: number;
  code: string;
  message: string;
}

export interface GatewayOptions {
  /** AccessKeyId → AccessKeySecret. */
  credentials: Record<string, string>;
  /**
   * Action → the one Version it lives in, checked right after the common parameters. Without it
   * the product checks Action and Version itself (with checkAction), after authentication.
   */
  versions?: Record<string, string>;
  now: () => Date;
}

/**
 * Checks one request; `at` is the time of arrival, taken from `now` (once the Timestamp is known
 * to be well formed) unless the caller has already read its clock.
 */
export type RpcGateway = (method: string, params: Record<string, string>, at?: Date) => GatewayRefusal | undefined;

/** Alibaba refuses a Timestamp more than 15 minutes off and a nonce reused within 15 minutes. */
const WINDOW_MS = 15 * 60_000;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const COMMON_PARAMS = [
  'Action',
  'Version',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'Timestamp',
] as const;

export function refusal(status: number, code: string, message: string): GatewayRefusal {
  return { status, code, message };
}

/** The first of `names` that is missing or empty, refused as Alibaba does (`Missing<Name>`). */
export function checkPresent(params: Record<string, string>, names: readonly string[]): GatewayRefusal | undefined {
  for (const name of names) {
    if (!params[name]) return refusal(400, `Missing${name}`, `${name} is mandatory for this action.`);
  }
  return undefined;
}

/** Action → Version: an unknown Action is 404, a known one in another Version 400. */
export function checkAction(versions: Record<string, string>, params: Record<string, string>): GatewayRefusal | undefined {
  const action = params['Action'] ?? '';
  const version = Object.hasOwn(versions, action) ? versions[action] : undefined;
  if (version === undefined) {
    return refusal(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
  }
  if (params['Version'] !== version) return refusal(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
  return undefined;
}

/** A checker with its own replay memory: one per simulator, so test apps never share it. */
export function rpcGateway(opts: GatewayOptions): RpcGateway {
  const usedNonces = new Map<string, number>();

  function checkNonce(accessKeyId: string, nonce: string, at: number): GatewayRefusal | undefined {
    for (const [key, seenAt] of usedNonces) {
      if (at - seenAt > WINDOW_MS) usedNonces.delete(key);
    }
    const key = `${accessKeyId}\n${nonce}`;
    if (usedNonces.has(key)) return refusal(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    usedNonces.set(key, at);
    return undefined;
  }

  return (method, params, arrivedAt) => {
    const missing = checkPresent(params, COMMON_PARAMS);
    if (missing) return missing;
    if (opts.versions) {
      const wrongAction = checkAction(opts.versions, params);
      if (wrongAction) return wrongAction;
    }
    const accessKeyId = params['AccessKeyId'] ?? '';
    const secret = Object.hasOwn(opts.credentials, accessKeyId) ? opts.credentials[accessKeyId] : undefined;
    if (secret === undefined) return refusal(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (params['SignatureMethod'] !== 'HMAC-SHA1' || params['SignatureVersion'] !== '1.0') {
      return refusal(400, 'InvalidParameter', 'Specified SignatureMethod or SignatureVersion is not supported.');
    }
    if (!verify(method, params, secret)) {
      // Alibaba quotes its string-to-sign here; adapters must keep it out of their own errors.
      return refusal(
        400,
        'SignatureDoesNotMatch',
        `Specified signature is not matched with our calculation. server string to sign is:${stringToSign(method, params)}`,
      );
    }
    const timestamp = params['Timestamp'] ?? '';
    const sentAt = TIMESTAMP.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
    if (Number.isNaN(sentAt)) {
      return refusal(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    }
    const at = arrivedAt ?? opts.now();
    if (Math.abs(at.getTime() - sentAt) > WINDOW_MS) {
      return refusal(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    }
    return checkNonce(accessKeyId, params['SignatureNonce'] ?? '', at.getTime());
  };
}

/**
 * Form bodies as RPC requests carry them, for this plugin's routes only. If an ancestor already
 * parses urlencoded bodies, adding a parser again would throw, and its result is used instead.
 */
export function acceptFormBodies(app: FastifyInstance): void {
  if (app.hasContentTypeParser('application/x-www-form-urlencoded')) return;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
    },
  );
}

const paramsSchema = z.record(z.string(), z.string());

/** RPC-style APIs take parameters from the query string and the body alike; the body wins. */
export function requestParams(query: unknown, body: unknown): Record<string, string> | GatewayRefusal {
  const fromQuery = paramsSchema.safeParse(query ?? {});
  const fromBody = paramsSchema.safeParse(body ?? {});
  if (!fromQuery.success || !fromBody.success) {
    return refusal(400, 'InvalidParameter', 'Parameters must be given once, as strings.');
  }
  return { ...fromQuery.data, ...fromBody.data };
}

export function isRefusal(value: Record<string, string> | GatewayRefusal): value is GatewayRefusal {
  return typeof value['status'] === 'number';
}

/**
 * For a simulator's error handler: a request Fastify could not parse (a 4xx) is refused in
 * Alibaba's shape; undefined means the simulator itself failed, which it answers as InternalError.
 */
export function unparsableRequest(err: unknown): GatewayRefusal | undefined {
  const status = typeof err === 'object' && err && 'statusCode' in err ? Number(err.statusCode) : 500;
  if (status >= 400 && status < 500) return refusal(status, 'InvalidParameter', 'The request could not be parsed.');
  return undefined;
}

/** Lets a test make the next N authenticated calls fail. */
export class FailureSwitch<F> {
  private pending: F[] = [];

  failNext(count: number, failure: F): void {
    for (let i = 0; i < count; i += 1) this.pending.push(failure);
  }

  take(): F | undefined {
    return this.pending.shift();
  }
}
