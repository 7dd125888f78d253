/**
 * The drivers as the change feed sees them (change-feed.ts): PGlite's client and pg's pool are
 * wrapped so that every statement is told to the feed, and a transaction's writes count when it
 * ends. On PostgreSQL, the channel over which instances tell each other what they wrote.
 * Promise-style calls only: that is how Drizzle, the job queue (executeSql) and the probes call.
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import {
  CHANGES_CHANNEL,
  WriteUnit,
  autocommit,
  changePayload,
  newOrigin,
  parseChangePayload,
  type ChangeRecorder,
} from './change-feed.ts';
import { intercept, type Fn } from './intercept.ts';

/**
 * Set on the driver's own connection object (PGlite's transaction handle, pg's client): the unit
 * open on it. A property of the object itself reaches through any wrapper around it (the query
 * parsers', the root-handle guard's), which is how Drizzle's session holds the connection.
 */
const OPEN_UNIT = Symbol('certdesk.openWriteUnit');

function markOpenUnit(connection: object, open: () => WriteUnit | undefined): void {
  Object.defineProperty(connection, OPEN_UNIT, { value: open, configurable: true });
}

/** The write unit open on `connection` (a Drizzle transaction's session client), if it is one the feed follows. */
export function openWriteUnit(connection: object): WriteUnit | undefined {
  const open = (connection as { [OPEN_UNIT]?: () => WriteUnit | undefined })[OPEN_UNIT];
  return typeof open === 'function' ? open() : undefined;
}

export function observePglite(client: PGlite, feed: ChangeRecorder): PGlite {
  const inTransaction = (tx: Transaction, unit: WriteUnit) => {
    const noted = (own: Fn) => (text: unknown, ...rest: unknown[]) => {
      unit.note(String(text));
      return own(text, ...rest);
    };
    markOpenUnit(tx, () => unit);
    return intercept(tx, { query: noted, exec: noted });
  };
  const single = (own: Fn) => (text: unknown, ...rest: unknown[]) => autocommit(feed, String(text), async () => own(text, ...rest));
  return intercept(client, {
    query: single,
    exec: single,
    transaction: (own) => async (callback: unknown) => {
      const unit = new WriteUnit(feed);
      let committed = false;
      try {
        const result = await own((tx: Transaction) => (callback as (tx: Transaction) => unknown)(inTransaction(tx, unit)));
        committed = true;
        return result;
      } finally {
        unit.end(committed);
      }
    },
  });
}

const textOf = (config: unknown): string =>
  typeof config === 'string' ? config : typeof config === 'object' && config !== null && 'text' in config ? String(config.text) : '';

/** A callback-style call would return before its statement ran, and its writes would count too early. */
function promiseStyle(args: unknown[]): void {
  if (args.some((a) => typeof a === 'function')) throw new TypeError('The change feed follows promise-style queries only (no callback)');
}

/** A checked-out connection: BEGIN … COMMIT / ROLLBACK on it is one unit, anything else is its own. */
function observeClient(client: pg.PoolClient, feed: ChangeRecorder): pg.PoolClient {
  let open: WriteUnit | undefined;
  const finish = (committed = false) => {
    open?.end(committed);
    open = undefined;
  };
  const observed = intercept(client, {
    query: (own) => async (config: unknown, values?: unknown, ...rest: unknown[]) => {
      promiseStyle([values, ...rest]);
      const text = textOf(config);
      const control = feed.statement(text).control;
      if (control === 'begin') {
        finish();
        open = new WriteUnit(feed);
        open.note(text);
        return own(config, values);
      }
      if (!open) return autocommit(feed, text, async () => own(config, values));
      open.note(text);
      if (control !== 'end') return own(config, values);
      let committed = false;
      try {
        const result = (await own(config, values)) as { command?: string } | undefined;
        // COMMIT of a transaction that had failed answers ROLLBACK.
        committed = result?.command === 'COMMIT';
        return result;
      } finally {
        finish(committed);
      }
    },
    release: (own) => (...args: unknown[]) => {
      finish();
      return own(...args);
    },
  });
  markOpenUnit(client, () => open);
  return observed;
}

export function observePool(pool: pg.Pool, feed: ChangeRecorder): pg.Pool {
  return intercept(pool, {
    query: (own) => (config: unknown, values?: unknown, ...rest: unknown[]) => {
      promiseStyle([values, ...rest]);
      return autocommit(feed, textOf(config), async () => own(config, values));
    },
    connect: (own) => async (...args: unknown[]) => {
      promiseStyle(args);
      return observeClient((await own()) as pg.PoolClient, feed);
    },
  });
}

export interface ChangeChannelEvents {
  onConnectionError?(err: Error): void;
  onConnected?(): void;
}

/** NOTIFY allows 8000 bytes; a longer list is sent as "everything". */
const PAYLOAD_LIMIT = 7900;
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 5_000;

/**
 * Tells the other instances what this one committed, and tells the feed what they did; the feed
 * is trusted only while the listening connection is up (what was missed meanwhile is unknown).
 */
export function startChangeChannel(url: string, pool: pg.Pool, feed: ChangeRecorder, events: ChangeChannelEvents): { stop(): Promise<void> } {
  const origin = newOrigin();
  let stopped = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = RETRY_FIRST_MS;
  let pending = new Set<string>();
  let scheduled = false;
  feed.setTrusted(false);

  const send = async () => {
    scheduled = false;
    const keys = [...pending];
    pending = new Set();
    if (keys.length === 0) return;
    const payload = changePayload(origin, keys);
    await pool
      .query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, payload.length > PAYLOAD_LIMIT ? changePayload(origin, ['*']) : payload])
      .catch((err: unknown) => events.onConnectionError?.(err as Error));
  };
  // One NOTIFY per turn of the event loop for everything committed in it.
  feed.onLocalCommit((keys) => {
    for (const k of keys) pending.add(k);
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => void send());
    }
  });

  const lost = (client: pg.Client, err?: Error) => {
    if (client !== current) return;
    current = undefined;
    feed.setTrusted(false);
    if (err) events.onConnectionError?.(err);
    client.end().catch(() => {});
    later();
  };
  const later = () => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void listen();
    }, delay);
    retry.unref();
    delay = Math.min(delay * 2, RETRY_MAX_MS);
  };
  async function listen(): Promise<void> {
    const client = new pg.Client({ connectionString: url, keepAlive: true });
    client.on('error', (err) => lost(client, err));
    client.on('end', () => lost(client));
    client.on('notification', (msg) => {
      const change = msg.channel === CHANGES_CHANNEL && msg.payload ? parseChangePayload(msg.payload) : undefined;
      if (!change || change.origin === origin) return;
      if (change.keys.includes('*')) feed.reset();
      else feed.committed(change.keys, false);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (err) {
      events.onConnectionError?.(err as Error);
      client.end().catch(() => {});
      later();
      return;
    }
    if (stopped) {
      await client.end().catch(() => {});
      return;
    }
    current = client;
    delay = RETRY_FIRST_MS;
    feed.setTrusted(true);
    events.onConnected?.();
  }
  void listen();

  return {
    async stop() {
      stopped = true;
      feed.onLocalCommit(undefined);
      // What was committed just before (a CLI command's one write) is still told.
      await send();
      clearTimeout(retry);
      const client = current;
      current = undefined;
      feed.setTrusted(false);
      await client?.end().catch(() => {});
    },
  };
}
