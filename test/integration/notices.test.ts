/**
 * Notices travel with the change that causes them: a job sent on a transaction's own connection
 * (pg-boss `send(…, { db })`, as notifications/notices.ts does) exists only if that transaction
 * commits — on PGlite and on PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transactionSql } from '../../src/db/connection-sql.ts';
import { ensureQueue, startJobQueue, type JobQueue } from '../../src/jobs/queue.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let boss: JobQueue;
const queue = `test-tx-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  t = await startTestApp();
  boss = await startJobQueue(t.certdesk.database, pino({ level: 'silent' }));
  await ensureQueue(boss, { name: queue });
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await t?.close();
});

const jobs = async () =>
  (await t.certdesk.database.executeSql('SELECT data FROM pgboss.job WHERE name = $1 ORDER BY created_on', [queue])).rows as { data: { n: number } }[];

describe('a notice queued in a transaction', () => {
  it('is sent only when the transaction commits', async () => {
    const db = t.certdesk.database.db;
    await expect(
      db.transaction(async (tx) => {
        await boss.send(queue, { n: 1 }, { db: transactionSql(tx) });
        throw new Error('the change fails after its notice was queued');
      }),
    ).rejects.toThrow('the change fails');
    await db.transaction(async (tx) => {
      await boss.send(queue, { n: 2 }, { db: transactionSql(tx) });
    });
    expect((await jobs()).map((j) => j.data.n)).toEqual([2]);
  });
});
