/**
 * The embedded database's nightly housekeeping. PGlite runs PostgreSQL in single-user mode: no
 * autovacuum, so without this nothing would reclaim the dead rows of the tables that churn (the
 * job queue's, sessions, login codes) or refresh the planner's statistics as the data grows — the
 * tables bloat and the plans go stale over months. Each table is vacuumed and analysed on its own
 * statement, so that requests arriving meanwhile wait for one table, not for all of them (the
 * embedded database has one connection). On PostgreSQL, autovacuum does this and the job is not
 * scheduled.
 */
import type { Logger } from 'pino';
import type { Database } from './database.ts';
import { ensureQueue, JOB_SCHEMA, type JobQueue } from '../jobs/queue.ts';
import { startWorker, type QueueWorker } from '../jobs/worker.ts';

export const MAINTENANCE_QUEUE = 'database-maintenance';
/** Every night at 03:37 Beijing time, when the platform is quietest (off the hour, like the others). */
export const MAINTENANCE_CRON = '37 3 * * *';

export interface MaintenanceRun {
  tables: number;
  ms: number;
}

/** VACUUM (ANALYZE) each of the platform's and the job queue's tables, one statement at a time. */
export async function vacuumAndAnalyse(database: Pick<Database, 'executeSql'>): Promise<MaintenanceRun> {
  const started = Date.now();
  const { rows } = await database.executeSql(
    `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS name FROM pg_tables WHERE schemaname IN ('public', '${JOB_SCHEMA}', 'drizzle') ORDER BY 1`,
    [],
  );
  const names = (rows as { name: string }[]).map((r) => r.name);
  for (const name of names) {
    // Not in a transaction (VACUUM cannot run in one): executeSql without values is a plain exec.
    await database.executeSql(`VACUUM (ANALYZE) ${name}`);
  }
  return { tables: names.length, ms: Date.now() - started };
}

/** Schedules the nightly run on the embedded database; undefined on PostgreSQL (autovacuum). */
export async function scheduleMaintenance(
  boss: JobQueue,
  database: Database,
  log: Logger,
  onCompletionError: (err: unknown) => void,
): Promise<QueueWorker | undefined> {
  if (database.kind !== 'pglite') return undefined;
  await ensureQueue(boss, { name: MAINTENANCE_QUEUE, retryLimit: 2, retryDelay: 600, expireInSeconds: 60 * 60 });
  await boss.schedule(MAINTENANCE_QUEUE, MAINTENANCE_CRON, {}, { tz: 'Asia/Shanghai' });
  return startWorker(boss, MAINTENANCE_QUEUE, { concurrency: 1, pollingIntervalMs: 60_000, onError: onCompletionError }, async () => {
    const run = await vacuumAndAnalyse(database);
    log.info(run, 'embedded database vacuumed and analysed');
  });
}
