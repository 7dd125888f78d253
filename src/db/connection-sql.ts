/**
 * Raw SQL on the connection a Drizzle transaction holds, for libraries that bring their own SQL
 * (pg-boss's `send(…, { db })`): a job inserted this way commits or rolls back with the change
 * that caused it. Drizzle keeps that connection as the transaction's session client — a pg
 * PoolClient, or PGlite's transaction handle — both answering `query(text, values)`.
 */
import type { Tx } from './database.ts';

interface QueryClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export function transactionSql(tx: Tx): SqlExecutor {
  const client = (tx as unknown as { session?: { client?: Partial<QueryClient> } }).session?.client;
  if (!client || typeof client.query !== 'function') throw new Error('transactionSql: this transaction exposes no connection');
  const query = client.query.bind(client) as QueryClient['query'];
  return {
    async executeSql(text, values) {
      const result = await query(text, values ?? []);
      return { rows: result.rows };
    },
  };
}
