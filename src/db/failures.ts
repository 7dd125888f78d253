/**
 * What kind of infrastructure failure an error is, whichever layer threw it: node-postgres, PGlite,
 * Drizzle (which wraps the driver's error as `cause`), pg-boss, the file system. The one error handler
 * answers by kind, and the outage log counts connection failures instead of printing each one.
 *
 * - `unavailable`: the database cannot be reached or is going away (restart, failover, a dropped
 *   connection, a full pool). It passes by itself: try again in a few seconds.
 * - `storage_full`: a disk is full, the database's (SQLSTATE 53100) or the blob store's (ENOSPC). It
 *   does not pass by itself: someone has to make room.
 */

export type InfrastructureFailure = 'unavailable' | 'storage_full';

/** Socket errors that mean the server is not there (or stopped talking). */
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is unreachable or shutting down: class 08 (connection exception),
 * 57P01 admin_shutdown (`pg_ctl stop -m fast`), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting
 * up, shutting down, in recovery), 53300 too_many_connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** node-postgres and pg-pool say these without a code. */
const CONNECTION_MESSAGES = [
  /^Connection terminated/, // "… unexpectedly", "… due to connection timeout"
  /^timeout exceeded when trying to connect/, // pg-pool: no connection within connectionTimeoutMillis
  /is not queryable$/, // a client whose connection already failed
];

const STORAGE_FULL_ERRNOS = new Set(['ENOSPC', 'EDQUOT']);
const DISK_FULL_SQLSTATE = '53100';

/** The error and what it wraps: `cause` (Drizzle, fetch) and `errors` (AggregateError from dual-stack connects). */
function* chain(err: unknown, depth = 0): Generator<Record<string, unknown>> {
  if (depth > 5 || typeof err !== 'object' || err === null) return;
  const e = err as Record<string, unknown>;
  yield e;
  yield* chain(e['cause'], depth + 1);
  if (Array.isArray(e['errors'])) for (const inner of e['errors']) yield* chain(inner, depth + 1);
}

export function classifyFailure(err: unknown): InfrastructureFailure | undefined {
  let unavailable = false;
  for (const e of chain(err)) {
    const code = typeof e['code'] === 'string' ? e['code'] : '';
    if (STORAGE_FULL_ERRNOS.has(code) || code === DISK_FULL_SQLSTATE) return 'storage_full';
    const message = typeof e['message'] === 'string' ? e['message'] : '';
    if (
      CONNECTION_ERRNOS.has(code) ||
      code.startsWith('08') ||
      UNAVAILABLE_SQLSTATES.has(code) ||
      CONNECTION_MESSAGES.some((m) => m.test(message))
    ) {
      unavailable = true;
    }
  }
  return unavailable ? 'unavailable' : undefined;
}

export function isConnectionFailure(err: unknown): boolean {
  return classifyFailure(err) === 'unavailable';
}
