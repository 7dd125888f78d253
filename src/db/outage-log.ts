/**
 * One log line when something goes away, a reminder a minute while it stays away, and one when it
 * is back: during a database outage every request, idle connection, job poll and schedule fails, and
 * a line for each would bury the one that says what happened.
 */
import type { Logger } from 'pino';

export interface OutageLog {
  /** A failure from `source` (what noticed it: a request, an idle connection, the job queue …). */
  failed(err: unknown, source: string): void;
  /** Evidence that it works again (a new connection, a successful run). */
  recovered(): void;
  readonly down: boolean;
}

export interface OutageLogOptions {
  /** How often a continuing outage is reported again; also how long a quiet spell ends an outage. */
  reminderMs?: number;
  now?: () => number;
}

export function createOutageLog(log: Logger, what: string, options: OutageLogOptions = {}): OutageLog {
  const reminderMs = options.reminderMs ?? 60_000;
  const now = options.now ?? Date.now;
  let since = 0;
  let lastFailure = 0;
  let lastReport = 0;
  let failures = 0;
  let down = false;

  return {
    get down() {
      return down;
    },
    failed(err, source) {
      const t = now();
      // Without a recovery signal (a full disk has none), a quiet spell ends the outage.
      if (down && t - lastFailure > reminderMs) down = false;
      lastFailure = t;
      if (!down) {
        down = true;
        since = t;
        lastReport = t;
        failures = 1;
        log.error({ err, source }, `${what} unavailable`);
        return;
      }
      failures++;
      if (t - lastReport >= reminderMs) {
        lastReport = t;
        log.warn({ failures, seconds: Math.round((t - since) / 1000), source, error: String(err) }, `${what} still unavailable`);
      }
    },
    recovered() {
      if (!down) return;
      down = false;
      log.info({ failures, seconds: Math.round((now() - since) / 1000) }, `${what} available again`);
    },
  };
}
