/**
 * An account's answers as last sent — the holder's 我的申请 and 证书与印章, which the portal asks
 * for on every visit and after every step, each costing half a dozen reads or more. An answer is
 * sent again, as the same bytes, while none of the tables it was read from has been written since
 * (the change feed notes them as it is read, and hears every write: here at once, from other
 * instances as their notices come), while the clock has not reached a moment at which it would
 * read otherwise (a certificate's days left), and for ANSWER_CACHE_MS at most. Its ETag lets a
 * browser that holds it revalidate for a 304.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChangeFeed } from '../db/change-feed.ts';

/** A bound for changes the feed cannot hear (a write made outside the platform). */
export const ANSWER_CACHE_MS = 10_000;
/** What the kept answers may take of memory (a list of 50 applications is some 25 KB). */
const MAX_BYTES = 32 * 1024 * 1024;

export interface Computed<T> {
  answer: T;
  /** When the clock alone makes the answer read otherwise (days left of a certificate), if ever. */
  changesAt?: Date | undefined;
}

interface Entry {
  /** UTF-8, as it goes out: encoded once, not on every answer. */
  body: Buffer;
  etag: string;
  tables: readonly string[];
  position: number;
  readAt: number;
  until: number;
}

export type AnswerCache = ReturnType<typeof createAnswerCache>;

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

export function createAnswerCache(deps: { changes: ChangeFeed | undefined; clock: () => Date }) {
  const { changes, clock } = deps;
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.body.length;
  };
  /** Answers being computed: the requests that come meanwhile (a page asks several times at once) wait for it. */
  const computing = new Map<string, Promise<unknown>>();

  function send(request: FastifyRequest, reply: FastifyReply, entry: Entry): FastifyReply {
    reply.header('etag', entry.etag).header('cache-control', 'private, no-cache');
    if (matches(request.headers['if-none-match'], entry.etag)) return reply.code(304).send();
    // Bytes go out as they are: serialised (and checked against the route's schema) once, when computed.
    return reply.type('application/json; charset=utf-8').send(entry.body);
  }

  function kept(key: string, now: number): Entry | undefined {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (now < entry.readAt || now >= entry.until || !changes || changes.changedSince(entry.position, entry.tables)) {
      drop(key);
      return undefined;
    }
    return entry;
  }

  /** Reads and serialises the answer (the route's serialiser checks it against its schema), and keeps it. */
  async function compute<T>(reply: FastifyReply, key: string, read: () => Promise<Computed<T>>): Promise<Entry> {
    const now = clock().getTime();
    const position = changes?.position();
    const { value, tables } = changes ? await changes.reading(read) : { value: await read(), tables: new Set<string>() };
    const body = Buffer.from(reply.serialize(value.answer) as string);
    const entry: Entry = {
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      tables: [...tables],
      position: position ?? 0,
      readAt: now,
      until: Math.min(now + ANSWER_CACHE_MS, value.changesAt?.getTime() ?? Infinity),
    };
    if (position !== undefined) {
      drop(key);
      // The oldest go first.
      while (bytes + body.length > MAX_BYTES && entries.size > 0) drop(entries.keys().next().value!);
      entries.set(key, entry);
      bytes += body.length;
    }
    return entry;
  }

  return {
    /**
     * Answers `request` with what is kept under `key` (which must name everything the answer
     * depends on but the database and the clock: the account, the object), or with `read`'s.
     */
    async send<T>(request: FastifyRequest, reply: FastifyReply, key: string, read: () => Promise<Computed<T>>): Promise<FastifyReply> {
      const hit = kept(key, clock().getTime());
      if (hit) return send(request, reply, hit);
      const shared = computing.get(key);
      if (shared) {
        // What it computes serves this request too, unless something it read changed since it began.
        await shared.catch(() => undefined);
        const after = kept(key, clock().getTime());
        if (after) return send(request, reply, after);
      }
      const work = compute(reply, key, read);
      computing.set(key, work);
      try {
        return send(request, reply, await work);
      } finally {
        if (computing.get(key) === work) computing.delete(key);
      }
    },
  };
}
