/**
 * The job queue: pg-boss, kept in the same PostgreSQL (or PGlite) as everything else, so that any
 * number of app instances share one queue. pg-boss talks through the database's executeSql, so
 * the embedded database needs no second connection.
 */
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { isConnectionFailure } from '../db/failures.ts';
import type { OutageLog } from '../db/outage-log.ts';

export type JobQueue = PgBoss;
/** The schema pg-boss keeps its tables in (metrics read pgboss.job and pgboss.queue). */
export const JOB_SCHEMA = 'pgboss';

/**
 * While the database is away pg-boss's maintenance and schedules fail on every round; those
 * failures go to the outage log (one line per outage), anything else is logged as it comes.
 */
export async function startJobQueue(database: Database, log: Logger, outage?: OutageLog): Promise<JobQueue> {
  const boss = new PgBoss({
    db: { executeSql: (text, values) => database.executeSql(text, values) },
    schema: JOB_SCHEMA,
    // Embedded mode has one connection; keep maintenance light there.
    maintenanceIntervalSeconds: database.kind === 'pglite' ? 300 : 120,
  });
  boss.on('error', (err) => {
    if (outage && isConnectionFailure(err)) outage.failed(err, 'job queue');
    else log.error({ err }, 'job queue error');
  });
  // pg-boss creates its schema at the first start; two instances doing so at once collide
  // (duplicate key in pg_namespace), so one starts after the other.
  await database.exclusive(() => boss.start());
  return boss;
}

/**
 * Creates a queue unless it exists. Several instances starting at once on an empty database race
 * to create it: PostgreSQL may abort one of them as a deadlock, or the loser may look before the
 * winner has committed. So: look again, and try again a few times, before giving up.
 */
export async function ensureQueue(boss: JobQueue, queue: PgBoss.Queue): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (await boss.getQueue(queue.name)) return;
    try {
      await boss.createQueue(queue.name, queue);
      return;
    } catch (err) {
      if (await boss.getQueue(queue.name)) return;
      if (attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.floor(Math.random() * 100)));
    }
  }
}

/** For /readyz: resolves when the queue's tables answer and `name` is among the queues. */
export async function checkQueue(boss: JobQueue, name: string): Promise<void> {
  if (!(await boss.getQueue(name))) throw new Error(`queue ${name} does not exist`);
}
