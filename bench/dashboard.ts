/**
 * 运营看板 under volume (part of `npm run bench`, see run.ts): GET /api/reports/dashboard as 财务,
 * on the embedded database and on a PostgreSQL server (a throw-away cluster), each holding a year's
 * business (dashboard-seed.ts): 100,000 applications with their audit records (about 600,000),
 * milestones, payments and refunds, and 100,000 unit certificates.
 * Goal: the last 30 days (the page's default) answer in ≤ 200 ms at p99, warm and cold. Printed
 * beside an authenticated trivial route (GET /api/staff/session) as the baseline ratio, with the
 * longer periods, and the same request without the reports' indexes (dropped at the end).
 *
 * Warm: requests one after another, within the minute the service keeps its snapshot of the
 * certificates "now" (reports/service.ts). Cold: before each request the app's clock moves past that
 * minute, so the request takes the snapshot again (reads every certificate in force) — the first
 * request of each minute, or every request of a dashboard without the snapshot. The session's
 * last-seen time is written on those too, as it is once a minute. Requests go through Fastify's
 * inject: the whole route — session, role check, queries, response schema — without the network.
 *   npx tsx bench/dashboard.ts            (BENCH_REQUESTS: requests per figure of the 30 days, 100)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { createCertDesk } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { SESSION_COOKIE } from '../src/http/session.ts';
import { CERTIFICATE_SNAPSHOT_MS } from '../src/modules/reports/service.ts';
import { createAccount } from '../src/modules/staff/accounts.ts';
import { createThrowawayCluster, postgresMissing } from '../test/support/pg-cluster.ts';
import { seedDashboard } from './dashboard-seed.ts';
import { percentile } from './stats.ts';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 100);
const GOAL_MS = 200;

const reportIndexes = [
  'applications_submitted_idx',
  'applications_approved_idx',
  'applications_dispatched_idx',
  'applications_id_project_idx',
  'payments_paid_at_idx',
  'refunds_created_idx',
  'certificates_profile_status_end_idx',
  'certificates_profile_created_idx',
  'certificates_revoked_at_idx',
];

const beijingDate = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** The whole measurement on one database: the embedded one, or the PostgreSQL server at `databaseUrl`. */
async function benchOn(label: string, databaseUrl: string): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'certdesk-bench-dashboard-'));
  const config = loadConfig({ CERTDESK_MODE: 'development', LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: databaseUrl });
  // The real time, moved on by `expire()` past the certificates' snapshot.
  let ahead = 0;
  const clock = () => new Date(Date.now() + ahead);
  const expire = () => void (ahead += CERTIFICATE_SNAPSHOT_MS + 1000);
  const certdesk = await createCertDesk(config, { logger: pino({ level: 'silent' }), clock });
  try {
    const db = certdesk.database.db;
    const started = Date.now();
    await seedDashboard(certdesk.database);
    const count = async (table: string) => {
      const r = await db.execute(sql.raw(`SELECT count(*)::int AS n FROM ${table}`));
      return ((Array.isArray(r) ? r : (r as { rows: { n: number }[] }).rows) as { n: number }[])[0]!.n;
    };
    const [apps, audit, certs] = [await count('applications'), await count('audit_log'), await count('certificates')];
    console.log(`\n运营看板 on ${label}: ${apps} applications, ${audit} audit records, ${certs} certificates, seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const staff = await createAccount(db, { kind: 'system', id: 'bench' }, { username: 'bench-finance', displayName: '财务', password: 'Bench-pass-2026', roles: ['finance'] }, clock());
    const session = await db.transaction((tx) =>
      certdesk.auth.openSession(tx, 'staff', staff.id, { ip: '127.0.0.1', userAgent: 'certdesk-bench', previousToken: undefined }, clock()),
    );
    const cookie = `${SESSION_COOKIE}=${session.token}`;

    /** p50 and p99 (nearest rank: of 100 requests the 99th) of `requests` after three to warm up; `cold`: each past the snapshot's minute. */
    async function latencies(url: string, requests: number, cold = false): Promise<{ p50: number; p99: number }> {
      const times: number[] = [];
      for (let i = 0; i < requests + 3; i++) {
        if (cold) expire();
        const start = performance.now();
        const res = await certdesk.app.inject({ method: 'GET', url, headers: { cookie } });
        if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (i >= 3) times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return { p50: percentile(times, 50), p99: percentile(times, 99) };
    }
    const periodOf = (days: number) => `from=${beijingDate(new Date(Date.now() - (days - 1) * 86_400_000))}&to=${beijingDate(new Date())}`;
    const line = (label: string, f: { p50: number; p99: number }, extra = '') =>
      console.log(`${label.padEnd(40)} p50 ${f.p50.toFixed(1).padStart(7)} ms  p99 ${f.p99.toFixed(1).padStart(7)} ms${extra}`);
    const goal = (f: { p99: number }) => `  ${f.p99 <= GOAL_MS ? 'goal met' : 'GOAL MISSED'} (p99 ≤ ${GOAL_MS} ms)`;

    const baseline = await latencies('/api/staff/session', REQUESTS);
    line('GET /api/staff/session (baseline)', baseline);
    const month = `/api/reports/dashboard?${periodOf(30)}`;
    const warm = await latencies(month, REQUESTS);
    line(`运营看板 last 30 days, warm (${REQUESTS})`, warm, `  ratio to baseline: ${(warm.p50 / baseline.p50).toFixed(1)}× (p50)${goal(warm)}`);
    const cold = await latencies(month, REQUESTS, true);
    line(`运营看板 last 30 days, cold (${REQUESTS})`, cold, goal(cold));
    for (const [days, requests] of [
      [90, Math.max(5, Math.round(REQUESTS / 5))],
      [365, Math.max(5, Math.round(REQUESTS / 10))],
    ] as const) {
      line(`运营看板 last ${days} days, warm (${requests})`, await latencies(`/api/reports/dashboard?${periodOf(days)}`, requests));
      line(`运营看板 last ${days} days, cold (${requests})`, await latencies(`/api/reports/dashboard?${periodOf(days)}`, requests, true));
    }

    for (const index of reportIndexes) await db.execute(sql.raw(`DROP INDEX ${index}`));
    const bare = await latencies(month, 5, true);
    line('  … last 30 days, cold, without its indexes', bare, `  (${(bare.p50 / cold.p50).toFixed(1)}× slower)`);
  } finally {
    await certdesk.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await benchOn('PGlite (embedded)', '');
// The database a CA with 100,000 applications a year runs on: a PostgreSQL server, here a
// throw-away cluster of its own (the queries of one request then run side by side on the pool).
if (postgresMissing) console.log(`运营看板 on PostgreSQL: skipped (${postgresMissing})`);
else {
  const cluster = await createThrowawayCluster();
  try {
    await benchOn('PostgreSQL 15 (throw-away cluster)', cluster.url);
  } finally {
    await cluster.remove();
  }
}
