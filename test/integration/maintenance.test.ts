/**
 * The embedded database's nightly VACUUM (ANALYZE) (src/db/maintenance.ts): PGlite has no
 * autovacuum, so the platform schedules it there — and only there; on PostgreSQL autovacuum does it.
 * A run vacuums and analyses every table of the platform and the job queue: their statistics,
 * never gathered before, then count the rows they hold.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/db/database.ts';
import { MAINTENANCE_CRON, MAINTENANCE_QUEUE, vacuumAndAnalyse } from '../../src/db/maintenance.ts';
import { randomPhone, startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('the embedded database’s housekeeping', () => {
  it('is scheduled nightly on PGlite only, and a run leaves every table vacuumed and its statistics current', async () => {
    const { db, kind } = t.certdesk.database;
    const schedules = await selectRows<{ cron: string; timezone: string }>(db, sql`SELECT cron, timezone FROM pgboss.schedule WHERE name = ${MAINTENANCE_QUEUE}`);
    if (kind === 'postgres') {
      expect(schedules).toEqual([]);
      return;
    }
    expect(schedules).toEqual([{ cron: MAINTENANCE_CRON, timezone: 'Asia/Shanghai' }]);

    // Rows that churn: codes asked for, each replacing the phone's last.
    const phone = randomPhone();
    for (let i = 0; i < 3; i++) {
      await t.certdesk.auth.requestCode(phone, { ip: `10.9.0.${i}`, userAgent: 'test' }).catch(() => undefined);
    }
    const codes = await selectRows<{ n: string }>(db, sql`SELECT count(*)::text AS n FROM login_codes`);
    const run = await vacuumAndAnalyse(t.certdesk.database);
    const tables = await selectRows<{ n: string }>(db, sql`SELECT count(*)::text AS n FROM pg_tables WHERE schemaname IN ('public', 'pgboss', 'drizzle')`);
    expect(run.tables).toBe(Number(tables[0]!.n));
    const [stats] = await selectRows<{ reltuples: number }>(db, sql`SELECT reltuples::float8 AS reltuples FROM pg_class WHERE oid = 'public.login_codes'::regclass`);
    expect(Number(stats!.reltuples)).toBe(Number(codes[0]!.n));
    // The job queue's own tables too (before a first run: -1, never vacuumed nor analysed).
    const [queues] = await selectRows<{ reltuples: number; n: string }>(
      db,
      sql`SELECT reltuples::float8 AS reltuples, (SELECT count(*) FROM pgboss.queue)::text AS n FROM pg_class WHERE oid = 'pgboss.queue'::regclass`,
    );
    expect(Number(queues!.reltuples)).toBe(Number(queues!.n));
  });
});
