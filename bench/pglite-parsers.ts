/**
 * `npx tsx bench/pglite-parsers.ts`: what a statement costs on the embedded database through
 * Drizzle, with the per-query type parsers Drizzle's PGlite driver sends (a plain drizzle(PGlite),
 * the baseline) and as the platform opens it (the instance parses those types itself and the
 * per-query request is dropped: src/db/pglite-parsers.ts). Same data directory, same process,
 * measured one after the other; a simple select, a select of rows with timestamps, and a
 * one-statement transaction.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { openDatabase, type Db } from '../src/db/database.ts';
import * as schema from '../src/db/schema.ts';

const ROUNDS = Number(process.env['BENCH_PARSER_ROUNDS'] ?? 3000);

async function perStatement(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 300; i++) await run();
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) await run();
  return ((performance.now() - start) / ROUNDS) * 1000;
}

function cases(db: Db): [string, () => Promise<unknown>][] {
  return [
    ['select 1', () => db.execute(sql`select 1`)],
    ['select 5 login codes (timestamps)', () => db.select().from(schema.loginCodes).limit(5)],
    ['transaction with one update', () => db.transaction((tx) => tx.update(schema.settings).set({ value: 'x' }).where(sql`key = 'bench'`))],
  ];
}

const dir = path.join(mkdtempSync(path.join(tmpdir(), 'certdesk-bench-parsers-')), 'pglite');
try {
  const ours = await openDatabase({ kind: 'pglite', dataDir: dir }, { guardRootHandle: false });
  await ours.migrate();
  for (let i = 0; i < 5; i++) {
    const now = new Date();
    await ours.db.insert(schema.loginCodes).values({ phone: `1390000000${i}`, purpose: 'login', codeHash: 'x', ip: '127.0.0.1', createdAt: now, expiresAt: now });
  }
  await ours.db.insert(schema.settings).values({ key: 'bench', value: 'x', updatedAt: new Date() });
  const now: Record<string, number> = {};
  for (const [label, run] of cases(ours.db)) now[label] = await perStatement(run);
  await ours.close();

  const plain = new PGlite(dir);
  const baseline: Record<string, number> = {};
  for (const [label, run] of cases(drizzle({ client: plain, schema }) as unknown as Db)) baseline[label] = await perStatement(run);
  await plain.close();

  console.log(`\nA statement on PGlite through Drizzle (${ROUNDS} each, µs): per-query parsers (baseline) → the instance's own`);
  for (const label of Object.keys(now)) {
    console.log(`  ${label.padEnd(36)} ${baseline[label]!.toFixed(0).padStart(5)} → ${now[label]!.toFixed(0).padStart(5)}  (${(now[label]! / baseline[label]!).toFixed(2)}×)`);
  }
} finally {
  rmSync(path.dirname(dir), { recursive: true, force: true });
}
