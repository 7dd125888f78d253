/**
 * The connection: embedded PGlite (a directory, or memory:// for tests) by default, a PostgreSQL
 * server when DATABASE_URL is set. Both speak to the same Drizzle schema and the same migrations.
 * A PGlite directory has one owner at a time (lock.ts): opening it while another process has it
 * open fails with DirectoryLockedError instead of forking the data. Every statement is seen by the
 * change feed on its way (change-feed.ts), which the caches of sessions and lists check against.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { getTableName, is, type SQL } from 'drizzle-orm';
import { PgTable, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Config } from '../config.ts';
import { createChangeRecorder, type ChangeFeed } from './change-feed.ts';
import { observePglite, observePool, startChangeChannel } from './observe.ts';
import { isEmbeddedDirectory, lockDirectory, type DirectoryLock, type LockOwner } from './lock.ts';
import { guardRootHandle } from './pglite-guard.ts';
import { textTypeParsers, withoutQueryParsers } from './pglite-parsers.ts';
import * as schema from './schema.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** What a transaction callback receives: the same query API, bound to the transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** What was written, here and (on PostgreSQL) by the other instances: what caches check against. */
  changes: ChangeFeed;
  /** Raw SQL for libraries that bring their own (pg-boss): parameterised, or multi-statement without values. */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  migrate(): Promise<void>;
  /**
   * Runs `fn` while no other instance on this database runs one (a PostgreSQL advisory lock held
   * on a connection of its own; the embedded database has one process anyway). Start-up work that
   * creates schemas — migrations, the job queue's tables — races otherwise when several instances
   * start at once on an empty database.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** PGlite only: the whole data directory as a tarball, which `pgliteSnapshot` opens again. */
  dumpDataDir?(): Promise<Blob>;
  /** PostgreSQL only: the connection pool's use now (PGlite has its one connection). */
  pool?(): { total: number; idle: number; waiting: number; max: number };
}


/** The schema's tables: the change feed follows writes to these (not the job queue's). */
const schemaTables: ReadonlySet<string> = new Set(Object.values(schema).flatMap((v) => (is(v, PgTable) ? [getTableName(v)] : [])));

const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));
/** Serialises start-up work (migrations, the queue's schema) when several instances start at once. */
const STARTUP_LOCK_KEY = 72_410_001;

export interface OpenOptions {
  /** Who opens an embedded directory: named to anyone else who tries while it is open. */
  owner?: LockOwner;
  /** The directory's lock, when the caller took it already (it is released with the database). */
  lock?: DirectoryLock;
  /** What a PostgreSQL connection reports outside any query, for the outage log. */
  events?: ConnectionEvents;
  /** PGlite: throw on a root-handle query inside a transaction (default; production turns it off). */
  guardRootHandle?: boolean;
  /**
   * PGlite only: start from a `dumpDataDir()` tarball instead of an empty cluster. Tests migrate
   * once per run and open every app's database from that copy (a new cluster costs seconds).
   */
  pgliteSnapshot?: Blob;
}

/** What the connection reports outside any query, for the outage log. */
export interface ConnectionEvents {
  /** A connection failed while no query was waiting on it (idle in the pool, or between queries). */
  onConnectionError?(err: Error): void;
  /** A new connection was made: the server is reachable (again). */
  onConnected?(): void;
}

/**
 * The rows of a raw `execute(sql…)`: the two drivers answer it in different shapes (node-postgres
 * a result with `rows`, PGlite the same; some versions an array), and the row type is the query's.
 */
export async function selectRows<T>(conn: Db | Tx, query: SQL): Promise<T[]> {
  const result: unknown = await conn.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

export async function openDatabase(database: Config['database'], options: OpenOptions = {}): Promise<Database> {
  return database.kind === 'postgres' ? openPostgres(database.url, options.events ?? {}) : openPglite(database.dataDir, options);
}

async function openPglite(dataDir: string, options: OpenOptions): Promise<Database> {
  const inMemory = !isEmbeddedDirectory(dataDir);
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const lock = inMemory ? undefined : (options.lock ?? (await lockDirectory(dataDir, options.owner ?? { kind: 'process' })));
  const raw = new PGlite({
    ...(inMemory ? {} : { dataDir }),
    ...(options.pgliteSnapshot ? { loadDataDir: options.pgliteSnapshot } : {}),
    parsers: textTypeParsers,
  });
  // Outside production a root-handle query inside a transaction throws instead of hanging.
  const changes = createChangeRecorder(schemaTables);
  const client = observePglite(options.guardRootHandle === false ? raw : guardRootHandle(raw), changes);
  try {
    await client.waitReady;
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzlePglite({ client: withoutQueryParsers(client), schema });
  return {
    kind: 'pglite',
    db,
    changes,
    async executeSql(text, values) {
      if (values && values.length > 0) return client.query(text, values);
      // pg-boss sends several statements at once; PGlite's prepared query refuses that.
      const results = await client.exec(text);
      return { rows: results.at(-1)?.rows ?? [] };
    },
    async migrate() {
      await migratePglite(db, { migrationsFolder });
    },
    exclusive: (fn) => fn(),
    async close() {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
    async dumpDataDir() {
      return client.dumpDataDir('none');
    },
  };
}

/** A request waits at most this long for a connection before it is answered 服务暂时不可用. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Connections one instance opens at most (and one more that listens for the others' writes: observe.ts). */
const POOL_MAX = 10;

async function openPostgres(url: string, events: ConnectionEvents): Promise<Database> {
  // keepAlive: a connection to a server that vanished (failover, a cut network) is found dead by
  // the kernel instead of hanging a query for the TCP timeout.
  const raw = new pg.Pool({ connectionString: url, max: POOL_MAX, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
  const changes = createChangeRecorder(schemaTables);
  const pool = observePool(raw, changes);
  // Every connection dies with the server (57P01 at `pg_ctl stop -m fast`). A client emits 'error'
  // when no query is waiting for the answer: idle in the pool (pg-pool re-emits it on the pool) or
  // checked out between two queries of a transaction (pg-pool listens to nothing then). Either way,
  // unheard, it ends the process. The pool drops the dead client and connects anew when asked; the
  // queries that were running fail with the error and are answered 503.
  pool.on('error', () => {
    // Already reported by the client's own listener below.
  });
  pool.on('connect', (client) => {
    client.on('error', (err) => events.onConnectionError?.(err));
    events.onConnected?.();
  });
  const db = drizzlePg({ client: pool, schema });
  const channel = startChangeChannel(url, raw, changes, events);
  const exclusive = async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
      return await fn(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]).catch(() => {});
      client.release();
    }
  };
  return {
    kind: 'postgres',
    db,
    changes,
    async executeSql(text, values) {
      const result = await pool.query(text, values);
      return { rows: result.rows };
    },
    async migrate() {
      await exclusive(async (client) => {
        await migratePg(drizzlePg({ client, schema }), { migrationsFolder });
      });
    },
    exclusive: (fn) => exclusive(() => fn()),
    async close() {
      await channel.stop();
      await pool.end();
    },
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: POOL_MAX }),
  };
}
