/**
 * Request ids, so that support can find a request from what the user read (报错编号) or what the
 * proxy logged. The id is the proxy's `X-Request-Id` when the proxy is trusted (TRUST_PROXY) and
 * the value is a plain token, a new UUID otherwise; it goes back in the `X-Request-Id` answer
 * header, into every error envelope (`error.requestId`), and into every log line written while the
 * request runs — Fastify's request logger binds it as `reqId`, and the services' own loggers (made
 * once, at start) get it from the request's async context through the logger's mixin.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { fastifyRequestContext, requestContext } from '@fastify/request-context';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export const REQUEST_ID_HEADER = 'x-request-id';
/** The key Fastify's request logger binds, and the mixin adds. */
const LOG_KEY = 'reqId';

declare module '@fastify/request-context' {
  interface RequestContextData {
    requestId: string;
  }
}

/**
 * What a proxy may hand us: nginx's `$request_id` (32 hex digits), a UUID, or any such token. Anything
 * else (spaces, quotes, control characters, kilobytes) is replaced rather than written to the logs.
 */
const ACCEPTED = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** Fastify's `genReqId`: the trusted proxy's id when it sent a usable one, a new UUID otherwise. */
export function requestIdGenerator(trustProxy: boolean): (req: IncomingMessage) => string {
  return (req) => {
    const incoming = trustProxy ? req.headers[REQUEST_ID_HEADER] : undefined;
    return typeof incoming === 'string' && ACCEPTED.test(incoming) ? incoming : randomUUID();
  };
}

/** The id of the request whose work is running now, if any. */
export function currentRequestId(): string | undefined {
  return requestContext.get('requestId');
}

/** Marks the loggers Fastify makes per request: they bind the id already. */
const bindsRequestId = Symbol('bindsRequestId');

/**
 * pino's `mixin`: the running request's id on every line of a logger that does not bind it itself
 * (the services' loggers). Nothing outside a request (jobs, schedules, start-up).
 */
export function requestIdMixin(_merge: object, _level: number, logger: unknown): Record<string, string> {
  if (logger && (logger as Record<symbol, unknown>)[bindsRequestId]) return {};
  const id = currentRequestId();
  return id ? { [LOG_KEY]: id } : {};
}

/** Fastify's `childLoggerFactory`: its request logger as usual, marked so that the mixin adds nothing twice. */
export function requestLoggerFactory(logger: FastifyBaseLogger, bindings: Record<string, unknown>, options: object): FastifyBaseLogger {
  const child = (logger as unknown as Logger).child(bindings, options);
  (child as unknown as Record<symbol, unknown>)[bindsRequestId] = true;
  return child as unknown as FastifyBaseLogger;
}

function isErrorEnvelope(payload: unknown): payload is { error: Record<string, unknown> } {
  if (typeof payload !== 'object' || payload === null || !('error' in payload)) return false;
  const error: unknown = payload.error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}

/** Before any route: the async context, the answer header and the id in every error envelope. */
export async function registerRequestIds(app: FastifyInstance): Promise<void> {
  await app.register(fastifyRequestContext, { defaultStoreValues: (request) => ({ requestId: request.id }) });
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  // Every error answer — the error handler's, the 404's, a route's own — names the request.
  app.addHook('preSerialization', async (request, reply, payload) => {
    if (reply.statusCode < 400 || !isErrorEnvelope(payload)) return payload;
    return { ...payload, error: { ...payload.error, requestId: request.id } };
  });
}
