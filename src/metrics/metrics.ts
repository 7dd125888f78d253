/**
 * What an operator's Prometheus scrapes from /metrics: HTTP requests by route pattern and status
 * (a latency histogram; its `_count` is the number of requests), calls to the outside parties by
 * outcome, certificates issued and revoked, OCSP answers by status, the job queue by queue and
 * state, the database pool, and Node's own process figures.
 *
 * One registry per app instance (prom-client's global default registry is never used): tests start
 * many apps in one process, and each must count only its own. Counters are this instance's since it
 * started, as Prometheus expects (sum them over instances); the job queue and database figures are
 * read from the database at each scrape, so every instance reports the same, shared, queue.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.ts';
import { JOB_SCHEMA } from '../jobs/queue.ts';
import type { OcspAnswerStatus } from '../pki/ocsp.ts';

/** Seconds: from a cached OCSP answer (well under a millisecond) to a slow gateway. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What the CA reports as it works (modules/ca takes it as an optional observer). */
export interface CaObserver {
  issued(rows: readonly { family: string; profile: string }[]): void;
  revoked(rows: readonly { profile: string; revocationReason: string | null }[]): void;
  /** One per certificate status in an OCSP answer (good, revoked, unknown), or the error status answered. */
  ocspAnswered(status: OcspAnswerStatus): void;
}

export interface Metrics {
  registry: Registry;
  ca: CaObserver;
  /**
   * The provider `target()` returns, with each method call counted by outcome and timed. The target
   * is looked up at every call, so a provider made only once the server listens (the simulators'
   * addresses) is wrapped from the start. Wrapping a new outside party is this one line in app.ts.
   */
  provider<T extends object>(party: string, target: () => T): T;
  /** HTTP figures for every route of `app`; call before the routes are registered. */
  observeHttp(app: FastifyInstance): void;
  /** The job queue's and the database's figures, read at each scrape. */
  observeDatabase(database: Database): void;
  /** The text Prometheus reads, and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/**
 * The outcome label of a call: a result's own `outcome` (the registry's match / mismatch / notFound),
 * `ok` for any other result, the error's class name for a failure (SmsGatewayError,
 * RegistryUnavailable, WechatPayError …) — a small, fixed set, as labels must be.
 */
function outcomeOf(result: unknown): string {
  if (typeof result === 'object' && result !== null && 'outcome' in result && typeof result.outcome === 'string') return result.outcome;
  return 'ok';
}
function failureOf(err: unknown): string {
  return err instanceof Error && err.name && err.name !== 'Error' ? err.name : 'error';
}

/** Job states pg-boss 10 keeps in its job table. */
const JOB_STATES = ['created', 'retry', 'active', 'completed', 'cancelled', 'failed'] as const;

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];

  const http = new Histogram({
    name: 'certdesk_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status: latency in seconds (_count: the number of requests)',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const calls = new Counter({
    name: 'certdesk_provider_calls_total',
    help: 'Calls to outside parties (sms, registry, wechatpay …) by operation and outcome',
    labelNames: ['party', 'operation', 'outcome'] as const,
    registers,
  });
  const callSeconds = new Histogram({
    name: 'certdesk_provider_call_duration_seconds',
    help: 'Calls to outside parties by operation: latency in seconds, retries included',
    labelNames: ['party', 'operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const issued = new Counter({
    name: 'certdesk_certificates_issued_total',
    help: 'Certificates issued by this instance, by key family and profile',
    labelNames: ['family', 'profile'] as const,
    registers,
  });
  const revoked = new Counter({
    name: 'certdesk_certificates_revoked_total',
    help: 'Certificates revoked by this instance, by profile and reason',
    labelNames: ['profile', 'reason'] as const,
    registers,
  });
  const ocsp = new Counter({
    name: 'certdesk_ocsp_responses_total',
    help: 'OCSP answers: per certificate status (good, revoked, unknown), or the error status answered',
    labelNames: ['status'] as const,
    registers,
  });

  let processMetrics = false;

  return {
    registry,
    ca: {
      issued: (rows) => rows.forEach((r) => issued.inc({ family: r.family, profile: r.profile })),
      revoked: (rows) => rows.forEach((r) => revoked.inc({ profile: r.profile, reason: r.revocationReason ?? 'unspecified' })),
      ocspAnswered: (status) => ocsp.inc({ status }),
    },

    provider<T extends object>(party: string, target: () => T): T {
      return new Proxy({} as T, {
        get(_shell, property) {
          // Not a method of a provider: a Proxy that answered `then` would make every await of it hang.
          if (typeof property !== 'string' || property === 'then') return undefined;
          return async (...args: unknown[]) => {
            const provider = target();
            const method: unknown = Reflect.get(provider, property);
            if (typeof method !== 'function') throw new TypeError(`${party} has no method ${property}`);
            const labels = { party, operation: property };
            const stop = callSeconds.startTimer(labels);
            try {
              const result: unknown = await method.apply(provider, args);
              calls.inc({ ...labels, outcome: outcomeOf(result) });
              return result;
            } catch (err) {
              calls.inc({ ...labels, outcome: failureOf(err) });
              throw err;
            } finally {
              stop();
            }
          };
        },
      });
    },

    observeHttp(app) {
      app.addHook('onResponse', async (request, reply) => {
        // The pattern (/api/applications/:id), never the raw URL: one series per route, not per id.
        // Unknown paths (404s, the portal's client-side routes) share one series.
        const route = request.routeOptions.url ?? '(unmatched)';
        http.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
      });
    },

    observeDatabase(database) {
      // One query per scrape for both queue gauges: the first to collect reads, the other reuses it.
      let read: { at: number; rows: Promise<{ queue: string; state: string; n: number }[]> } | undefined;
      const queueRows = () => {
        if (!read || Date.now() - read.at > 1000) {
          const rows = (async () => {
            const queues = await database.executeSql(`SELECT name FROM ${JOB_SCHEMA}.queue`, []);
            const counts = await database.executeSql(`SELECT name, state::text AS state, count(*)::int AS n FROM ${JOB_SCHEMA}.job GROUP BY name, state`, []);
            const all = (queues.rows as { name: string }[]).flatMap((q) => JOB_STATES.map((state) => ({ queue: q.name, state, n: 0 })));
            for (const c of counts.rows as { name: string; state: string; n: number }[]) {
              const row = all.find((r) => r.queue === c.name && r.state === c.state);
              if (row) row.n = Number(c.n);
            }
            return all;
          })();
          read = { at: Date.now(), rows };
        }
        return read.rows;
      };
      new Gauge({
        name: 'certdesk_jobs',
        help: 'Jobs in the queue table by queue and state (failed: failed for good, until pg-boss archives them); shared by every instance',
        labelNames: ['queue', 'state'] as const,
        registers,
        async collect() {
          this.reset();
          // The database away: no series rather than a failed scrape (/readyz says what is wrong).
          const rows = await queueRows().catch(() => []);
          for (const r of rows) this.set({ queue: r.queue, state: r.state }, r.n);
        },
      });
      new Gauge({
        name: 'certdesk_job_queue_depth',
        help: 'Jobs waiting to run (created or retry) by queue',
        labelNames: ['queue'] as const,
        registers,
        async collect() {
          this.reset();
          const depth = new Map<string, number>();
          for (const r of await queueRows().catch(() => [])) {
            if (r.state === 'created' || r.state === 'retry') depth.set(r.queue, (depth.get(r.queue) ?? 0) + r.n);
            else if (!depth.has(r.queue)) depth.set(r.queue, 0);
          }
          for (const [queue, n] of depth) this.set({ queue }, n);
        },
      });
      new Gauge({
        name: 'certdesk_db_pool_connections',
        help: 'Database connections of this instance: total, idle, and requests waiting for one (PGlite: its one in-process connection)',
        labelNames: ['state'] as const,
        registers,
        collect() {
          const pool = database.pool?.();
          if (!pool) {
            this.set({ state: 'total' }, 1);
            return;
          }
          this.set({ state: 'total' }, pool.total);
          this.set({ state: 'idle' }, pool.idle);
          this.set({ state: 'waiting' }, pool.waiting);
        },
      });
      new Gauge({
        name: 'certdesk_db_pool_max',
        help: 'The most connections this instance opens (PGlite: 1)',
        registers,
        collect() {
          this.set(database.pool?.().max ?? 1);
        },
      });
      new Gauge({
        name: 'certdesk_db_size_bytes',
        help: 'Size of the database (pg_database_size)',
        registers,
        async collect() {
          const result = await database.executeSql('SELECT pg_database_size(current_database())::bigint AS size', []).catch(() => undefined);
          const size = (result?.rows[0] as { size?: string | number } | undefined)?.size;
          if (size === undefined) this.reset();
          else this.set(Number(size));
        },
      });
    },

    async scrape() {
      // Node's figures (CPU, memory, event-loop lag, GC) from the first scrape on: each collector
      // installs observers for good, which the many apps a test process starts need not carry.
      if (!processMetrics) {
        processMetrics = true;
        collectDefaultMetrics({ register: registry });
      }
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
