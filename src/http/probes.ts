/**
 * The probes a load balancer or orchestrator asks. /healthz (liveness): the process runs and
 * answers, nothing else — restarting it cures no database outage, so the database is not asked.
 * /readyz (readiness): the database, the job queue and the CA's keys are usable; 503 names what is not, so that
 * traffic goes elsewhere (or the operator knows) until it is back.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errorEnvelope, withErrors } from './contract/common.ts';

/** A check that has not answered by then counts as failed (a vanished server can take long to refuse). */
const CHECK_TIMEOUT_MS = 2_000;

export type ReadinessChecks = Record<string, () => Promise<void>>;

const checkResults = z.record(z.string(), z.enum(['ok', 'unavailable']));
const alive = withErrors({ 200: z.object({ status: z.literal('ok') }) });
const readiness = {
  ...withErrors({ 200: z.object({ status: z.literal('ready'), checks: checkResults }) }),
  // What is not usable, in Chinese; an error on the way (the session lookup) still has the envelope.
  503: z.union([z.object({ status: z.literal('not_ready'), checks: checkResults, message: z.string() }), errorEnvelope]),
};

/** The Chinese name of each check, for the operator reading the answer. */
const checkNames: Record<string, string> = { database: '数据库', jobs: '任务队列', keys: 'CA 密钥' };

function withTimeout(check: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    check(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function registerProbes(app: FastifyInstance, checks: ReadinessChecks): void {
  // Hidden from /docs: they are the operator's and the load balancer's, not the API's.
  app.get('/healthz', { schema: { hide: true, response: alive } }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', { schema: { hide: true, response: readiness } }, async (_request, reply) => {
    const names = Object.keys(checks);
    const outcomes = await Promise.allSettled(names.map((name) => withTimeout(checks[name]!)));
    const results: Record<string, 'ok' | 'unavailable'> = {};
    const failing: string[] = [];
    names.forEach((name, i) => {
      const ok = outcomes[i]?.status === 'fulfilled';
      results[name] = ok ? 'ok' : 'unavailable';
      if (!ok) failing.push(checkNames[name] ?? name);
    });
    if (failing.length === 0) return { status: 'ready' as const, checks: results };
    return reply.status(503).send({ status: 'not_ready' as const, checks: results, message: `${failing.join('、')}不可用` });
  });
}
