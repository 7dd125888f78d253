/**
 * What was written to the database, told once it is committed, so that a cache in this process
 * (resolved sessions, the holder's lists) can tell whether what it read is still what the
 * database holds, with no query of its own. Every statement passes through here — database.ts
 * wraps the driver, so no writer can forget to report — and a write statement names its table:
 * outside a transaction it counts when it returns, inside one when the transaction ends.
 *
 * What a statement does not name it does not report: the schema has no cascades or triggers that
 * write other tables behind a statement's back (one that did would have to be told here).
 *
 * On PostgreSQL other instances write too: each tells the others what it wrote (NOTIFY on one
 * channel, after its commit), and a cache is trusted only while this instance hears that channel.
 * The embedded database has one process (its directory is locked), so what this process writes
 * is all there is.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

export type WriteOp = 'insert' | 'update' | 'delete';

export interface ChangeFeed {
  /** The point in the history reached: something read after it stays true while nothing it read changes. */
  position(): number;
  /**
   * Whether, since `position`, one of `tables` was written (with `op` when given) or the feed
   * could not vouch for it (the PostgreSQL channel was down meanwhile, or is now).
   */
  changedSince(position: number, tables: Iterable<string>, op?: WriteOp): boolean;
  /** Runs `read`, noting the tables its statements read from (what a cached answer depends on). */
  reading<T>(read: () => Promise<T>): Promise<{ value: T; tables: ReadonlySet<string> }>;
  /**
   * Calls `listener` soon after a commit — here, or told by another instance — that wrote `table`
   * with `op` (several such commits in one turn of the event loop: once), and after the feed lost
   * track (anything may have been written then). Returns the way to stop listening.
   */
  onCommitted(table: string, op: WriteOp, listener: () => void): () => void;
}

interface Statement {
  writes: { table: string; op: WriteOp }[];
  reads: string[];
  /** BEGIN, COMMIT / ROLLBACK (the driver's own transaction control, on PostgreSQL). */
  control: 'begin' | 'end' | undefined;
}

const WRITE = /\b(insert\s+into|update|delete\s+from|truncate(?:\s+table)?)\s+(?:only\s+)?(?:"?(\w+)"?\s*\.\s*)?"?(\w+)"?/gi;
const READ = /\b(?:from|join)\s+(?:"?(\w+)"?\s*\.\s*)?"?(\w+)"?/gi;
const BEGIN = /^\s*(?:begin|start\s+transaction)\b/i;
const END = /^\s*(?:commit|end|abort|rollback(?!\s+to\b))\b/i;

/** The recorder's side: what the driver wrappers and the channel tell the feed. */
export interface ChangeRecorder extends ChangeFeed {
  /** What a statement reads and writes (of this schema's tables), noting its reads for `reading`. */
  statement(text: string): Statement;
  /** Writes that are committed now. `local`: made here (and so told to the other instances). */
  committed(writes: Iterable<string>, local: boolean): void;
  /** From now on nothing read before counts (the channel was lost or is back). */
  reset(): void;
  /** While false, changedSince answers true: nothing may be served from a cache. */
  setTrusted(trusted: boolean): void;
  /** Called with the keys (`table:op`) of every local commit: the channel's sender. */
  onLocalCommit(send: ((keys: string[]) => void) | undefined): void;
}

export const writeKey = (table: string, op: WriteOp) => `${table}:${op}`;

/** `tables`: the schema's table names; statements on anything else (the job queue's schema) are not followed. */
export function createChangeRecorder(tables: ReadonlySet<string>): ChangeRecorder {
  let counter = 0;
  let resetAt = 0;
  let trusted = true;
  let sender: ((keys: string[]) => void) | undefined;
  /** The position of the last committed write, by table and by `table:op`. */
  const last = new Map<string, number>();
  const readers = new AsyncLocalStorage<Set<string>>();
  const parsed = new Map<string, Statement>();
  const listeners = new Set<{ key: string; call: () => void }>();
  const tell = (match: (key: string) => boolean) => {
    for (const l of listeners) if (match(l.key)) l.call();
  };

  const ours = (schema: string | undefined, table: string | undefined) =>
    table !== undefined && (schema === undefined || schema === 'public') && tables.has(table);

  function parse(text: string): Statement {
    const writes: Statement['writes'] = [];
    for (const m of text.matchAll(WRITE)) {
      if (!ours(m[2], m[3])) continue;
      const verb = m[1]!.toLowerCase();
      writes.push({ table: m[3]!, op: verb.startsWith('insert') ? 'insert' : verb.startsWith('update') ? 'update' : 'delete' });
    }
    const reads = [...new Set([...text.matchAll(READ)].filter((m) => ours(m[1], m[2])).map((m) => m[2]!))];
    return { writes, reads, control: BEGIN.test(text) ? 'begin' : END.test(text) ? 'end' : undefined };
  }

  return {
    position: () => counter,
    changedSince(position, of, op) {
      if (!trusted || position < resetAt) return true;
      for (const table of of) {
        if ((last.get(op ? writeKey(table, op) : table) ?? 0) > position) return true;
      }
      return false;
    },
    async reading(read) {
      const seen = new Set<string>();
      // Awaited inside: a Drizzle query is a thenable that runs when awaited, and must run in here.
      const value = await readers.run(seen, async () => await read());
      return { value, tables: seen };
    },
    statement(text) {
      let s = parsed.get(text);
      if (!s) {
        // Statements are few shapes (an IN list of another length is another text): a bound suffices.
        if (parsed.size >= 2000) parsed.clear();
        s = parse(text);
        parsed.set(text, s);
      }
      const reads = readers.getStore();
      if (reads) for (const t of s.reads) reads.add(t);
      return s;
    },
    committed(writes, local) {
      const keys = [...new Set(writes)];
      if (keys.length === 0) return;
      const at = ++counter;
      for (const key of keys) {
        last.set(key, at);
        last.set(key.slice(0, key.indexOf(':')), at);
      }
      if (local) sender?.(keys);
      if (listeners.size > 0) tell((key) => keys.includes(key));
    },
    reset() {
      resetAt = ++counter;
      tell(() => true);
    },
    setTrusted(value) {
      if (value === trusted) return;
      trusted = value;
      resetAt = ++counter;
      tell(() => true);
    },
    onCommitted(table, op, listener) {
      let scheduled = false;
      const entry = {
        key: writeKey(table, op),
        call() {
          if (scheduled) return;
          scheduled = true;
          setImmediate(() => {
            scheduled = false;
            if (listeners.has(entry)) listener();
          });
        },
      };
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
    onLocalCommit(send) {
      sender = send;
    },
  };
}

/**
 * A unit of writing: one statement outside a transaction, or a whole transaction. Its writes
 * are committed to the feed when it ends (a rolled-back one too: telling of a change that did
 * not happen costs a cache one read, missing one would serve stale data).
 */
export class WriteUnit {
  private readonly keys = new Set<string>();
  private readonly onCommit: (() => void)[] = [];
  constructor(private readonly feed: ChangeRecorder) {}
  note(text: string): Statement {
    const s = this.feed.statement(text);
    for (const w of s.writes) this.keys.add(writeKey(w.table, w.op));
    return s;
  }
  /** Runs `fn` once this unit has committed (never if it rolls back): a job queued in it is there for every worker then. */
  afterCommit(fn: () => void): void {
    this.onCommit.push(fn);
  }
  /** `committed`: false when the unit rolled back (its afterCommit callbacks are dropped). */
  end(committed = true): void {
    if (this.keys.size > 0) this.feed.committed(this.keys, true);
    this.keys.clear();
    const callbacks = this.onCommit.splice(0);
    if (!committed || callbacks.length === 0) return;
    // After the code that awaited the transaction has gone on (answered its request …).
    setImmediate(() => {
      for (const fn of callbacks) {
        try {
          fn();
        } catch {
          // What runs after a commit only hastens work the workers' polls find anyway.
        }
      }
    });
  }
}

/** One statement outside a transaction: its writes count once it returns (or fails). */
export async function autocommit<T>(feed: ChangeRecorder, text: string, run: () => Promise<T>): Promise<T> {
  const unit = new WriteUnit(feed);
  unit.note(text);
  try {
    return await run();
  } finally {
    unit.end();
  }
}

/** The channel PostgreSQL instances tell each other their writes on. */
export const CHANGES_CHANNEL = 'certdesk_changes';

/** A NOTIFY payload: who wrote (so an instance skips its own) and the `table:op` keys, or `*` for anything. */
export function changePayload(origin: string, keys: string[]): string {
  return `${origin}|${keys.join(',')}`;
}

export function parseChangePayload(payload: string): { origin: string; keys: string[] } | undefined {
  const bar = payload.indexOf('|');
  if (bar < 0) return undefined;
  return { origin: payload.slice(0, bar), keys: payload.slice(bar + 1).split(',').filter(Boolean) };
}

export const newOrigin = () => randomBytes(8).toString('hex');
