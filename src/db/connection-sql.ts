/**
 * Raw SQL on the connection a Drizzle transaction holds, for libraries that bring their own SQL
 * (pg-boss's `send(…, { db })`): a job inserted this way commits or rolls back with the change
 * that caused it. Drizzle keeps that connection as the transaction's session client — a pg
 * PoolClient, or PGlite's transaction handle — both answering `query(text, values)`.
 */
import type { Tx } from './database.ts';
import { openWriteUnit } from './observe.ts';

interface QueryClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

function connectionOf(tx: Tx): Partial<QueryClient> | undefined {
  return (tx as unknown as { session?: { client?: Partial<QueryClient> } }).session?.client;
}

export function transactionSql(tx: Tx): SqlExecutor {
  const client = connectionOf(tx);
  if (!client || typeof client.query !== 'function') throw new Error('transactionSql: this transaction exposes no connection');
  const query = client.query.bind(client) as QueryClient['query'];
  return {
    async executeSql(text, values) {
      const result = await query(text, values ?? []);
      return { rows: result.rows };
    },
  };
}

/**
 * Runs `fn` once `tx` has committed (never if it rolls back): a worker woken then finds the job the
 * transaction queued at once, instead of at its next poll. On a connection the change feed does
 * not follow, nothing runs and the poll finds the job as before.
 */
export function afterCommit(tx: Tx, fn: () => void): void {
  const client = connectionOf(tx);
  if (client) openWriteUnit(client)?.afterCommit(fn);
}
