/**
 * What Alibaba Cloud's API gateway checks before any product sees an RPC request, for loopback
 * simulators: common parameters, Action and Version, AccessKey, Signature Version 1.0, a Timestamp
 * within 15 minutes, a nonce not seen within 15 minutes. Written to serve any RPC product; the SMS
 * simulator still has its own copy of these checks and could move onto this one.
 */
import type { FastifyInstance } from 'fastify';
import { stringToSign, verify } from '../sms/aliyun-signature.ts';

export interface GatewayRefusal {
  status: number;
  code: string;
  message: string;
}

export interface GatewayOptions {
  /** AccessKeyId → AccessKeySecret. */
  credentials: Record<string, string>;
  /** Action → the one Version it lives in. */
  versions: Record<string, string>;
  now: () => Date;
}

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

function refusal(status: number, code: string, message: string): GatewayRefusal {
  return { status, code, message };
}

/** A checker with its own replay memory: one per simulator, so test apps never share it. */
export function rpcGateway(opts: GatewayOptions): (method: string, params: Record<string, string>) => GatewayRefusal | undefined {
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

  return (method, params) => {
    for (const name of COMMON_PARAMS) {
      if (!params[name]) return refusal(400, `Missing${name}`, `${name} is mandatory for this action.`);
    }
    const version = Object.hasOwn(opts.versions, params['Action'] ?? '') ? opts.versions[params['Action'] ?? ''] : undefined;
    if (version === undefined) {
      return refusal(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    }
    if (params['Version'] !== version) return refusal(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
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
    const at = opts.now();
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
