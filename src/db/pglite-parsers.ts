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

type QueryFn = (text: string, params?: unknown[], options?: { parsers?: object }) => Promise<unknown>;

function dropping(query: QueryFn): QueryFn {
  return (text, params, options) =>
    query(text, params, options?.parsers && redundant(options.parsers) ? { ...options, parsers: undefined } : options);
}

/** `client` for Drizzle: its queries, and those of its transactions, without the redundant parsers. */
export function withoutQueryParsers(client: PGlite): PGlite {
  const inTransaction = (tx: Transaction): Transaction =>
    new Proxy(tx, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const bound = (value as QueryFn).bind(target);
        return prop === 'query' ? dropping(bound) : bound;
      },
    });
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'query') return dropping((value as QueryFn).bind(target));
      if (prop === 'transaction') {
        return <T>(callback: (tx: Transaction) => Promise<T>) => target.transaction((tx) => callback(inTransaction(tx)));
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
}
