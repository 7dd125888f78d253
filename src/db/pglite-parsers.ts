/**
 * How values of a few types come back from the embedded database. Drizzle's PGlite driver asks,
 * with every query it sends, for timestamps, dates and intervals as the text PostgreSQL sends (it
 * maps them to its column types itself). PGlite merges parsers given with a query into its own —
 * about 320 of them — for every result, which costs ~0.1 ms a statement: as much again as a simple
 * statement itself (bench/pglite-parsers.ts). So the instance is made with those types as text
 * (`textTypeParsers`), and `withoutQueryParsers` drops the request from each query and
 * transaction statement that asks for nothing more; results are the same.
 *
 * Raw SQL on the instance (database.ts `executeSql`: the job queue, the metrics' counts) then sees
 * those types as text too, where node-postgres would give a Date; nothing there reads them.
 */
import { types, type PGlite, type Transaction } from '@electric-sql/pglite';
import { intercept, type Fn } from './intercept.ts';

const asText = (value: string) => value;

/** The types Drizzle's PGlite driver asks for as text (drizzle-orm/pglite/session.js). */
export const textTypeParsers: Record<number, (value: string) => string> = {
  [types.TIMESTAMP]: asText,
  [types.TIMESTAMPTZ]: asText,
  [types.INTERVAL]: asText,
  [types.DATE]: asText,
  // Their arrays, and numeric[]: the OIDs Drizzle names by number.
  1115: asText, // timestamp[]
  1185: asText, // timestamptz[]
  1187: asText, // interval[]
  1182: asText, // date[]
  1231: asText, // numeric[]
};

/** Whether a query's parsers ask for nothing the instance does not already do. */
function redundant(parsers: object): boolean {
  for (const oid in parsers) if (!Object.hasOwn(textTypeParsers, oid)) return false;
  return true;
}

/** A query's options without parsers the instance already applies. */
function dropping(query: Fn): Fn {
  return (text, params, options, ...rest) => {
    const o = options as { parsers?: object } | undefined;
    return query(text, params, o?.parsers && redundant(o.parsers) ? { ...o, parsers: undefined } : o, ...rest);
  };
}

/** `client` for Drizzle: its queries, and those of its transactions, without the redundant parsers. */
export function withoutQueryParsers(client: PGlite): PGlite {
  return intercept(client, {
    query: dropping,
    transaction: (own) => (callback) => own((tx: Transaction) => (callback as (tx: Transaction) => unknown)(intercept(tx, { query: dropping }))),
  });
}
