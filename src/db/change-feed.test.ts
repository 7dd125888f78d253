import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChangeRecorder } from './change-feed.ts';
import { afterCommit } from './connection-sql.ts';
import { openDatabase, type Database } from './database.ts';
import { applicants, sessions } from './schema.ts';
import { createThrowawayCluster, postgresMissing, type ThrowawayCluster } from '../../test/support/pg-cluster.ts';

describe('which statements write which tables', () => {
  const feed = createChangeRecorder(new Set(['applications', 'payments', 'sessions', 'projects']));
  const writes = (text: string) => feed.statement(text).writes;

  it('reads the tables Drizzle and our raw SQL write, and nothing of other schemas', () => {
    expect(writes('insert into "applications" ("id") values ($1)')).toEqual([{ table: 'applications', op: 'insert' }]);
    expect(writes('update "payments" set "status" = $1 where "payments"."id" = $2')).toEqual([{ table: 'payments', op: 'update' }]);
    expect(writes('delete from "sessions" where "sessions"."token_hash" = $1')).toEqual([{ table: 'sessions', op: 'delete' }]);
    expect(writes('UPDATE applications a SET paid_at = m.paid_at FROM (SELECT 1) m')).toEqual([{ table: 'applications', op: 'update' }]);
    expect(writes('with moved as (update "applications" set "step" = 2 returning "id") select * from moved')).toEqual([{ table: 'applications', op: 'update' }]);
    expect(writes('TRUNCATE TABLE "public"."projects"')).toEqual([{ table: 'projects', op: 'delete' }]);
    expect(writes('INSERT INTO pgboss.job (name) VALUES ($1)')).toEqual([]);
    expect(writes('select * from "applications" where "id" = $1 for update')).toEqual([]);
    expect(writes('insert into "sessions" ("x") values (1) on conflict ("x") do update set "x" = 2')).toEqual([{ table: 'sessions', op: 'insert' }]);
  });

  it('tells a listener of its table and operation once a turn, and of everything when it lost track', async () => {
    const calls: string[] = [];
    const turn = () => new Promise(setImmediate);
    const stop = feed.onCommitted('payments', 'update', () => calls.push('payments'));
    feed.committed(['payments:update'], true);
    feed.committed(['payments:update', 'sessions:delete'], false);
    feed.committed(['payments:insert', 'projects:update'], true);
    expect(calls).toEqual([]);
    await turn();
    expect(calls).toEqual(['payments']);
    feed.reset();
    await turn();
    expect(calls).toEqual(['payments', 'payments']);
    stop();
    feed.committed(['payments:update'], true);
    await turn();
    expect(calls).toEqual(['payments', 'payments']);
  });

  it('knows the driver\'s transaction control from a savepoint', () => {
    expect(feed.statement('begin').control).toBe('begin');
    expect(feed.statement('commit').control).toBe('end');
    expect(feed.statement('rollback').control).toBe('end');
    expect(feed.statement('rollback to savepoint sp1').control).toBeUndefined();
    expect(feed.statement('release savepoint sp1').control).toBeUndefined();
  });
});

describe('the change feed on PGlite', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    await database.migrate();
  }, 60_000);
  afterAll(() => database?.close());

  const phone = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

  it('notes what a read reads, and tells a write once it returns', async () => {
    const { db, changes } = database;
    const before = changes.position();
    const { tables } = await changes.reading(() => db.select().from(sessions).leftJoin(applicants, eq(applicants.id, sessions.principalId)));
    expect([...tables].sort()).toEqual(['applicants', 'sessions']);
    expect(changes.changedSince(before, tables)).toBe(false);
    await db.insert(applicants).values({ phone: phone(), createdAt: new Date(), lastLoginAt: new Date() });
    expect(changes.changedSince(before, tables)).toBe(true);
    expect(changes.changedSince(before, ['applicants'], 'insert')).toBe(true);
    expect(changes.changedSince(before, ['applicants'], 'delete')).toBe(false);
    expect(changes.changedSince(before, ['sessions'])).toBe(false);
  });

  it('tells a transaction\'s writes when it ends, not before', async () => {
    const { db, changes } = database;
    const before = changes.position();
    let inside = true;
    await db.transaction(async (tx) => {
      await tx.insert(applicants).values({ phone: phone(), createdAt: new Date(), lastLoginAt: new Date() });
      inside = changes.changedSince(before, ['applicants']);
    });
    expect(inside).toBe(false);
    expect(changes.changedSince(before, ['applicants'])).toBe(true);
  });

  it('tells a rolled-back transaction too, and raw SQL', async () => {
    const { db, changes } = database;
    const before = changes.position();
    await db
      .transaction(async (tx) => {
        await tx.execute(sql`UPDATE applicants SET last_login_at = now() WHERE false`);
        throw new Error('no');
      })
      .catch(() => {});
    expect(changes.changedSince(before, ['applicants'], 'update')).toBe(true);
    const later = changes.position();
    await database.executeSql('DELETE FROM sessions WHERE false');
    expect(changes.changedSince(later, ['sessions'], 'delete')).toBe(true);
  });

  it('tells a listener of a committed write to its table once the transaction has committed', async () => {
    const { db, changes } = database;
    let calls = 0;
    const stop = changes.onCommitted('applicants', 'insert', () => calls++);
    const turn = () => new Promise(setImmediate);
    await db.execute(sql`UPDATE applicants SET last_login_at = now() WHERE false`);
    await db.execute(sql`DELETE FROM sessions WHERE false`);
    await turn();
    expect(calls).toBe(0);
    await db.transaction(async (tx) => {
      await tx.insert(applicants).values({ phone: phone(), createdAt: new Date(), lastLoginAt: new Date() });
      await turn();
      expect(calls).toBe(0);
    });
    await turn();
    expect(calls).toBe(1);
    stop();
    await db.insert(applicants).values({ phone: phone(), createdAt: new Date(), lastLoginAt: new Date() });
    await turn();
    expect(calls).toBe(1);
  });

  it('runs what waits for a commit once the transaction has committed, and never after a rollback', async () => {
    const { db } = database;
    const seen: string[] = [];
    const p = phone();
    await db.transaction(async (tx) => {
      await tx.insert(applicants).values({ phone: p, createdAt: new Date(), lastLoginAt: new Date() });
      afterCommit(tx, () => seen.push('first'));
      afterCommit(tx, () => seen.push('second'));
      expect(seen).toEqual([]);
    });
    // Once what awaited the transaction has gone on.
    expect(seen).toEqual([]);
    await new Promise(setImmediate);
    expect(seen).toEqual(['first', 'second']);
    await db
      .transaction(async (tx) => {
        afterCommit(tx, () => seen.push('rolled back'));
        throw new Error('no');
      })
      .catch(() => {});
    await new Promise(setImmediate);
    expect(seen).toEqual(['first', 'second']);
  });
});

describe.skipIf(postgresMissing)('the change feed between instances on PostgreSQL', () => {
  let cluster: ThrowawayCluster;
  let here: Database;
  let there: Database;
  beforeAll(async () => {
    cluster = await createThrowawayCluster();
    here = await openDatabase({ kind: 'postgres', url: cluster.url });
    await here.migrate();
    there = await openDatabase({ kind: 'postgres', url: cluster.url });
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([here?.close(), there?.close()]);
    await cluster?.remove();
  });

  const trusted = (d: Database) => !d.changes.changedSince(d.changes.position(), []);
  const phone = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

  it('tells each what the other committed, and vouches for nothing while it cannot hear', async () => {
    await expect.poll(() => trusted(here) && trusted(there), { timeout: 10_000 }).toBe(true);
    const before = there.changes.position();
    const mine = here.changes.position();
    await here.db.insert(applicants).values({ phone: phone(), createdAt: new Date(), lastLoginAt: new Date() });
    expect(here.changes.changedSince(mine, ['applicants'], 'insert')).toBe(true);
    await expect.poll(() => there.changes.changedSince(before, ['applicants'], 'insert'), { timeout: 2_000, interval: 20 }).toBe(true);
    expect(there.changes.changedSince(before, ['sessions'])).toBe(false);

    // A write just before closing (a CLI command's one write) still reaches the others.
    const brief = await openDatabase({ kind: 'postgres', url: cluster.url });
    await expect.poll(() => trusted(brief), { timeout: 10_000 }).toBe(true);
    const later = there.changes.position();
    let toldThere = 0;
    const stop = there.changes.onCommitted('sessions', 'delete', () => toldThere++);
    await brief.executeSql('DELETE FROM sessions WHERE false');
    await brief.close();
    await expect.poll(() => there.changes.changedSince(later, ['sessions'], 'delete'), { timeout: 2_000, interval: 20 }).toBe(true);
    // A listener there hears of it too.
    await expect.poll(() => toldThere, { timeout: 2_000, interval: 20 }).toBeGreaterThan(0);
    stop();

    // After a commit: another connection sees what the transaction wrote. After a failed one
    // (COMMIT answers ROLLBACK) or a rollback: nothing runs.
    const committedPhone = phone();
    let seenThere: Promise<unknown[]> | undefined;
    await here.db.transaction(async (tx) => {
      await tx.insert(applicants).values({ phone: committedPhone, createdAt: new Date(), lastLoginAt: new Date() });
      afterCommit(tx, () => (seenThere = there.db.select().from(applicants).where(eq(applicants.phone, committedPhone))));
    });
    await new Promise(setImmediate);
    expect(await seenThere).toHaveLength(1);
    let ranAfterFailure = false;
    await here.db
      .transaction(async (tx) => {
        afterCommit(tx, () => (ranAfterFailure = true));
        await tx.execute(sql`SELECT 1/0`).catch(() => undefined);
      })
      .catch(() => undefined);
    await here.db
      .transaction(async (tx) => {
        afterCommit(tx, () => (ranAfterFailure = true));
        throw new Error('no');
      })
      .catch(() => undefined);
    await new Promise(setImmediate);
    expect(ranAfterFailure).toBe(false);

    await cluster.stop();
    await expect.poll(() => trusted(there), { timeout: 10_000 }).toBe(false);
    await cluster.start();
    await expect.poll(() => trusted(there), { timeout: 15_000 }).toBe(true);
  }, 60_000);
});
