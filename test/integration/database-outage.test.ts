/**
 * "Nothing down": PostgreSQL stops under load (pg_ctl stop -m fast, as at a restart or failover)
 * and comes back. Two app processes on that database never exit, answer 服务暂时不可用 with
 * Retry-After meanwhile, say not ready, and serve again within seconds of its return, without a
 * restart; the job queue resumes. Against a throw-away cluster (test/support/pg-cluster.ts), never
 * the shared server.
 *
 * It makes its own cluster, so it does not depend on DATABASE_URL: it runs once per CI run, in the
 * phase without DATABASE_URL (the embedded-database run), since the PostgreSQL phase would repeat
 * exactly the same test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomPhone } from '../support/app.ts';
import { TestClient, type ErrorBody } from '../support/http.ts';
import { createThrowawayCluster, postgresMissing, type ThrowawayCluster } from '../support/pg-cluster.ts';
import { freePort, startServerProcess, type ServerProcess } from '../support/process.ts';
import { waitForCode } from '../support/sms.ts';
import pg from 'pg';
import pino from 'pino';
import { openDatabase } from '../../src/db/database.ts';
import { startJobQueue } from '../../src/jobs/queue.ts';

const sharedPhase = process.env['DATABASE_URL'] !== undefined;
if (sharedPhase) console.warn('database-outage: runs in the phase without DATABASE_URL (it makes its own cluster)');

/** The promise: serving again within 5 s of the database's return. */
const RECOVERY_BOUND_MS = 5_000;

interface Readiness {
  status: string;
  checks: Record<string, string>;
  message?: string;
}

/** Polls `probe` until it returns a value, or throws after `boundMs`. */
async function within<T>(boundMs: number, what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${boundMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Load until stopped, counting the answers: a few loops reading the session (which reads the
 * database on every request), and one asking for login codes (a transaction, then an SMS job in
 * flight through the queue and the simulator when the database stops).
 */
function load(client: TestClient) {
  const statuses = new Map<string, number>();
  let running = true;
  const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
  const loop = async (label: string, request: () => Promise<Response>) => {
    while (running) {
      try {
        const res = await request();
        await res.arrayBuffer();
        count(`${label} ${res.status}`);
      } catch {
        count(`${label} no answer`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const session = () => fetch(`${client.baseUrl}/api/auth/session`, { headers: { cookie: client.cookie ?? '' } });
  const code = () =>
    fetch(`${client.baseUrl}/api/auth/sms-code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: randomPhone() }),
    });
  const loops = [loop('session', session), loop('session', session), loop('session', session), loop('code', code)];
  return {
    statuses,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function loggedIn(server: ServerProcess): Promise<TestClient> {
  const client = new TestClient(server.url);
  const phone = randomPhone();
  expect((await client.post('/api/auth/sms-code', { phone })).status).toBe(200);
  const code = await waitForCode(server.url, phone);
  expect((await client.post('/api/auth/login', { phone, code })).status).toBe(200);
  return client;
}

const logLines = (server: ServerProcess, msg: string) => server.output().split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;

describe.skipIf(postgresMissing !== undefined || sharedPhase)('a PostgreSQL restart under load', () => {
  let cluster: ThrowawayCluster;
  let servers: ServerProcess[] = [];
  // The CA's key files, shared by both instances as on one installation; new with each cluster.
  let dataDir = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'certdesk-outage-'));
    cluster = await createThrowawayCluster();
    const env = {
      DATABASE_URL: cluster.url,
      DATA_DIR: dataDir,
      CERTDESK_MODE: 'development',
      LOG_LEVEL: 'warn',
      AUTH_CODE_RESEND_SECONDS: '0',
      AUTH_CODES_PER_IP_PER_HOUR: '100000',
    };
    servers = await Promise.all([startServerProcess(env, await freePort()), startServerProcess(env, await freePort())]);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await cluster?.remove();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('never ends either process: 503 with Retry-After meanwhile, 200 again within 5 s of its return', async () => {
    const clients = await Promise.all(servers.map(loggedIn));
    const loads = clients.map((c) => load(c));

    await cluster.stop();
    for (const [i, server] of servers.entries()) {
      const during = await within(10_000, `instance ${i}: 503 while the database is stopped`, async () => {
        const res = await clients[i]!.get<ErrorBody>('/api/auth/session');
        return res.status === 503 ? res : undefined;
      });
      expect(during.body.error.message).toBe('服务暂时不可用，请稍后再试');
      expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0);

      const ready = await new TestClient(server.url).get<Readiness>('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks['database']).toBe('unavailable');
      expect(ready.body.message).toContain('数据库');
      expect((await new TestClient(server.url).get<{ status: string }>('/healthz')).status).toBe(200);

      const code = await new TestClient(server.url).post<ErrorBody>('/api/auth/sms-code', { phone: randomPhone() });
      expect(code.status).toBe(503);
      expect(code.body.error.message).toBe('服务暂时不可用，请稍后再试');
    }
    // Down for several seconds, under load.
    await new Promise((r) => setTimeout(r, 3_000));

    await cluster.start();
    const back = Date.now();
    for (const [i, server] of servers.entries()) {
      const left = () => RECOVERY_BOUND_MS - (Date.now() - back);
      await within(left(), `instance ${i}: the session answers 200 again`, async () =>
        (await clients[i]!.get('/api/auth/session')).status === 200 ? true : undefined,
      );
      const ready = await within(left(), `instance ${i}: /readyz ready again`, async () => {
        const res = await new TestClient(server.url).get<Readiness>('/readyz');
        return res.status === 200 ? res : undefined;
      });
      expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', jobs: 'ok', keys: 'ok' } });
    }

    for (const [i, l] of loads.entries()) {
      await l.stop();
      const seen = Object.fromEntries(l.statuses);
      // Every request was answered (the process lived), with 200 or 503 and nothing else.
      expect(Object.keys(seen).sort(), `instance ${i}: ${JSON.stringify(seen)}`).toEqual(['code 200', 'code 503', 'session 200', 'session 503']);
    }

    // The job queue resumed, and it is shared: a code asked of one instance arrives.
    const phone = randomPhone();
    expect((await new TestClient(servers[0]!.url).post('/api/auth/sms-code', { phone })).status).toBe(200);
    await waitForCode(servers[1]!.url, phone);

    for (const [i, server] of servers.entries()) {
      expect(server.output(), `instance ${i}`).not.toMatch(/Unhandled|uncaught/i);
      // One line for the outage, not one per failed request, poll and connection.
      const lines = logLines(server, 'database unavailable');
      expect(lines, `instance ${i}`).toBeGreaterThanOrEqual(1);
      expect(lines, `instance ${i}`).toBeLessThanOrEqual(2);
    }
  });

  it('lets several instances start at once on an empty database (migrations and the queue schema one after another)', async () => {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE fresh_start');
    await admin.end();
    const url = cluster.url.replace(/\/postgres$/, '/fresh_start');
    const log = pino({ level: 'silent' });
    const instances = await Promise.all([1, 2, 3, 4].map(() => openDatabase({ kind: 'postgres', url })));
    try {
      const started = await Promise.allSettled(
        instances.map(async (database) => {
          await database.migrate();
          const boss = await startJobQueue(database, log);
          await boss.stop({ graceful: false, wait: true });
        }),
      );
      expect(started.filter((s) => s.status === 'rejected')).toEqual([]);
    } finally {
      await Promise.all(instances.map((d) => d.close()));
    }
  });
});
