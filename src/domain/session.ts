/** Session lifetime rules: an idle limit and an absolute limit, whichever comes first. */
import type { AuthPolicy } from '../config.ts';

export interface SessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
}

export function sessionExpiresAt(policy: AuthPolicy, s: SessionTimes): Date {
  const idle = s.lastSeenAt.getTime() + policy.sessionIdleSeconds * 1000;
  const absolute = s.createdAt.getTime() + policy.sessionAbsoluteSeconds * 1000;
  return new Date(Math.min(idle, absolute));
}

export function isSessionLive(policy: AuthPolicy, s: SessionTimes, now: Date): boolean {
  return now.getTime() < sessionExpiresAt(policy, s).getTime();
}

/** Refreshing last-seen on every request would write on every read; once a minute is enough. */
export const LAST_SEEN_GRANULARITY_MS = 60_000;
