/**
 * Applicant sessions as last read, for a few seconds: every request of a logged-in holder resolves
 * its session, and on the embedded database that read cost more than the rest of a small answer.
 * An entry is used only while no session was deleted since it was read (退出, a new login's
 * rotation, an ended account's sessions — here, or on another instance as the change feed hears
 * it) and while the session is still live by its own times. Staff sessions are never kept: they
 * resolve through the staff directory on every request, so that a disabled account or a changed
 * role takes effect at once.
 */
import type { ChangeFeed } from '../../db/change-feed.ts';
import type * as repo from './repository.ts';

export type SessionRow = NonNullable<Awaited<ReturnType<typeof repo.findSession>>>;

/** Short enough that a change the feed could not vouch for (a write made outside the platform) shows soon. */
export const SESSION_CACHE_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  row: SessionRow;
  /** The app's clock when read. */
  readAt: number;
  /** The change feed's position before the read. */
  position: number;
}

export function createSessionCache(changes: ChangeFeed | undefined) {
  const entries = new Map<string, Entry>();
  /** Reads under way: a page's requests come together, and all but the first wait for its read. */
  const reading = new Map<string, Promise<{ row: SessionRow | undefined; position: number | undefined }>>();
  const ended = (position: number) =>
    !changes || changes.changedSince(position, ['sessions'], 'delete') || changes.changedSince(position, ['applicants'], 'delete');

  return {
    /**
     * The session's row from the database (`fetch`), and where the history stood before the read
     * (for `keep`). A read already under way for the token serves too, unless a session was ended
     * since it began.
     */
    async read(tokenHash: string, fetch: () => Promise<SessionRow | undefined>): Promise<{ row: SessionRow | undefined; position: number | undefined }> {
      const shared = reading.get(tokenHash);
      if (shared) {
        const result = await shared.catch(() => undefined);
        if (result?.position !== undefined && !ended(result.position)) return result;
      }
      const position = changes?.position();
      const read = fetch().then((row) => ({ row, position }));
      reading.set(tokenHash, read);
      try {
        return await read;
      } finally {
        if (reading.get(tokenHash) === read) reading.delete(tokenHash);
      }
    },

    /** The session row as kept, or undefined when it must be read again. */
    get(tokenHash: string, now: Date): SessionRow | undefined {
      const entry = entries.get(tokenHash);
      if (!entry) return undefined;
      const age = now.getTime() - entry.readAt;
      if (age < 0 || age >= SESSION_CACHE_MS || ended(entry.position)) {
        entries.delete(tokenHash);
        return undefined;
      }
      return entry.row;
    },

    keep(row: SessionRow, now: Date, position: number | undefined): void {
      if (position === undefined || row.principalKind !== 'applicant') return;
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entries.set(row.tokenHash, { row, readAt: now.getTime(), position });
    },

    /** After this instance refreshed last-seen. */
    touched(tokenHash: string, now: Date): void {
      const entry = entries.get(tokenHash);
      if (entry) entry.row = { ...entry.row, lastSeenAt: now };
    },

    forget(tokenHash: string): void {
      entries.delete(tokenHash);
    },
  };
}
