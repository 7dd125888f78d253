/**
 * A transaction-scoped lock that serialises one kind of read-then-write across the instances of
 * one installation: PostgreSQL's advisory lock, released at commit or rollback.
 *
 * On the embedded database it is not taken: PGlite has one connection, and a transaction holds it
 * until it ends, so no two transactions ever interleave there (and only one process may open the
 * data directory: embedded-owner.ts). The statement would protect nothing and cost one round trip
 * in every transaction that takes it — the audit chain's takes it on every audited write.
 */
import { sql } from 'drizzle-orm';
import { PgliteTransaction } from 'drizzle-orm/pglite';
import type { Tx } from './database.ts';

/** `key`: a number of the platform's own (72_410_xxx), or a text hashed into one (`login:<phone>`). */
export async function advisoryXactLock(tx: Tx, key: number | string): Promise<void> {
  if (tx instanceof PgliteTransaction) return;
  await tx.execute(typeof key === 'number' ? sql`SELECT pg_advisory_xact_lock(${key})` : sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`);
}
