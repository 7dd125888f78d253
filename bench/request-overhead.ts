/**
 * What the operator's instruments cost a request: the same Fastify route, answered through
 * `inject` (no network, no database) bare and with what createCertDesk adds to every request —
 * the request id (genReqId, the async context, the answer header, the error envelope's id) and
 * the HTTP metrics (a histogram observation) — timed in alternating rounds so that a busy machine
 * slows both alike. Prints microseconds of CPU per request and the difference.
 *   npx tsx bench/request-overhead.ts
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { registerRequestIds, requestIdGenerator, requestLoggerFactory } from '../src/http/request-id.ts';
import { createMetrics } from '../src/metrics/metrics.ts';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 20_000);
const ROUNDS = 5;

async function app(instrumented: boolean): Promise<FastifyInstance> {
  const f = Fastify(instrumented ? { genReqId: requestIdGenerator(false), childLoggerFactory: requestLoggerFactory } : {});
  if (instrumented) {
    await registerRequestIds(f);
    createMetrics().observeHttp(f);
  }
  f.get('/api/things/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  await f.ready();
  return f;
}

async function cpuMicrosPerRequest(f: FastifyInstance): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < REQUESTS; i++) await f.inject({ method: 'GET', url: `/api/things/${i}` });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / REQUESTS;
}

const bare = await app(false);
const instrumented = await app(true);
await cpuMicrosPerRequest(bare);
await cpuMicrosPerRequest(instrumented);
const figures = { bare: [] as number[], instrumented: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  figures.bare.push(await cpuMicrosPerRequest(bare));
  figures.instrumented.push(await cpuMicrosPerRequest(instrumented));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const b = median(figures.bare);
const i = median(figures.instrumented);
console.log(`\nrequest id + HTTP metrics, fastify.inject, ${REQUESTS} requests × ${ROUNDS} rounds (median)`);
console.log(`bare route                 ${b.toFixed(1).padStart(7)} µs CPU/request`);
console.log(`with request id + metrics  ${i.toFixed(1).padStart(7)} µs CPU/request   +${(i - b).toFixed(1)} µs (${((i / b - 1) * 100).toFixed(0)} %)`);
await Promise.all([bare.close(), instrumented.close()]);
