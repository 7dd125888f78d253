import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.ts';
import { RootHandleInTransaction } from './pglite-guard.ts';

describe('the root handle inside a PGlite transaction', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  }, 60_000);
  afterAll(() => database?.close());

  it('throws at once instead of waiting forever, and names the fix', async () => {
    const { db } = database;
    const drizzled = await db.transaction(async () => db.execute(sql`SELECT 1`)).catch((err: unknown) => err);
    expect((drizzled as { cause?: unknown }).cause).toBeInstanceOf(RootHandleInTransaction);
    await expect(db.transaction(async () => database.executeSql('SELECT 1'))).rejects.toThrow('use the transaction (tx)');
  });

  it('lets the transaction use its own handle, and other requests queue behind it as before', async () => {
    const { db } = database;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const inside = db.transaction(async (tx) => {
      const rows = ((await tx.execute(sql`SELECT 1 AS one`)) as { rows: unknown[] }).rows;
      await held;
      return rows;
    });
    // Another request, from its own context, while the transaction is open: it waits its turn.
    const outside = db.execute(sql`SELECT 2 AS two`);
    release();
    expect(await inside).toEqual([{ one: 1 }]);
    expect(((await outside) as { rows: unknown[] }).rows).toEqual([{ two: 2 }]);
  });
});
