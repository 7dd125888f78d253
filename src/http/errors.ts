/**
 * The one error handler: AppError → its status and Chinese message; request validation → 400 with
 * the first problem in Chinese; the database out of reach → 503 with Retry-After; a full disk → 507;
 * anything else → 500 with a generic message, never a stack trace. Every answer here is the one
 * error envelope (contract/common.ts), which every route declares for 4xx and 5xx; request-id.ts
 * adds the request's id to each of them.
 */
import type { FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { classifyFailure, type InfrastructureFailure } from '../db/failures.ts';
import { AppError } from '../domain/errors.ts';
import type { ErrorBody } from './contract/common.ts';

/** The envelope every error answer has: its zod schema, declared by each route through withErrors. */
export { errorEnvelope, withErrors, type ErrorBody } from './contract/common.ts';

/** How long a client should wait before trying again while the database is out of reach. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * 503: the database restarts, fails over or dropped the connection; it passes by itself, so the
 * client is told when to try again. 507 (Insufficient Storage) for a full disk: it is not
 * temporary, so no Retry-After that would invite retries, and a status of its own so that
 * monitoring and the operator tell it from an outage.
 */
const failureAnswers: Record<InfrastructureFailure, { status: number; code: string; message: string }> = {
  unavailable: { status: 503, code: 'SERVICE_UNAVAILABLE', message: '服务暂时不可用，请稍后再试' },
  storage_full: { status: 507, code: 'STORAGE_FULL', message: '存储空间不足，请联系管理员' },
};

export interface ErrorHandlerOptions {
  /**
   * Told of every infrastructure failure instead of a log line per request: during an outage every
   * request fails the same way (app.ts hands them to the outage log).
   */
  onFailure?(kind: InfrastructureFailure, err: unknown): void;
}

export function registerErrorHandler(app: FastifyInstance, options: ErrorHandlerOptions = {}): void {
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof AppError) {
      const body: ErrorBody = { error: { code: err.code, message: err.message, details: err.details } };
      const retry = err.details?.['retryAfterSeconds'];
      if (typeof retry === 'number') reply.header('retry-after', String(retry));
      return reply.status(err.status).send(body);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const first = err.validation[0];
      const message = first?.message ?? '请求内容有误';
      return reply.status(400).send({ error: { code: 'VALIDATION', message } } satisfies ErrorBody);
    }
    const failure = classifyFailure(err);
    if (failure) {
      if (options.onFailure) options.onFailure(failure, err);
      else request.log.error({ err }, failure);
      const answer = failureAnswers[failure];
      if (failure === 'unavailable') reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      return reply.status(answer.status).send({
        error: { code: answer.code, message: answer.message },
      } satisfies ErrorBody);
    }
    const status = typeof err === 'object' && err && 'statusCode' in err ? Number(err.statusCode) : 500;
    if (status >= 400 && status < 500) {
      // Fastify's own refusals (malformed JSON, body too large, wrong content type).
      const message = status === 413 ? '上传内容过大' : status === 415 ? '不支持的请求格式' : '请求内容有误';
      return reply.status(status).send({ error: { code: 'BAD_REQUEST', message } } satisfies ErrorBody);
    }
    request.log.error({ err }, 'unexpected error');
    return reply.status(500).send({
      error: { code: 'INTERNAL', message: '系统繁忙，请稍后再试' },
    } satisfies ErrorBody);
  });

}

const notFound: ErrorBody = { error: { code: 'NOT_FOUND', message: '请求的内容不存在' } };
/** Paths that belong to the server, never to the portal's client-side routes. */
const SERVER_PATHS = /^\/(api|dev|sim|docs|healthz|readyz|ca|crl|ocsp)(\/|$)/;
/** A last path segment with an extension names a file (a missing script, /favicon.ico), not a page. */
const FILE_PATH = /\.[A-Za-z0-9]+$/;

/**
 * Whether an unknown GET path is one of the portal's client-side routes (/login, /applications …),
 * answered with the portal's index so that they load directly. Everything else is a real 404: a
 * prober, a Prometheus scrape or a stale script reference must not see the portal's HTML and "200".
 */
export function isPortalRoute(url: string): boolean {
  const pathname = url.split(/[?#]/, 1)[0] ?? '';
  return !SERVER_PATHS.test(pathname) && !FILE_PATH.test(pathname);
}

/**
 * Unknown paths: 404 in Chinese in the error envelope; with the portal built, a GET of one of its
 * routes gets the portal's index.
 */
export function registerNotFound(app: FastifyInstance, servePortal: boolean): void {
  app.setNotFoundHandler((request, reply) => {
    if (servePortal && request.method === 'GET' && isPortalRoute(request.url)) {
      return reply.sendFile('index.html');
    }
    return reply.status(404).send(notFound);
  });
}
