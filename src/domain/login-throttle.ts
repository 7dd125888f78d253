/**
 * How failed staff logins slow guessing down without handing anyone a lever to lock staff out
 * (NIST SP 800-63B §5.2.2: rate-limit failed attempts; delays and recognised devices or addresses
 * instead of locking the account). Pure: the staff module feeds in what the database holds and now.
 *
 * Failures are counted per *bucket*, and a bucket that has had its free tries waits a growing
 * delay (1 s, 2 s, 4 s … at most 15 minutes) after each further failure before its next attempt;
 * an attempt inside the delay is refused without the password being checked, so it teaches an
 * attacker nothing. Which buckets an attempt is charged to depends on where it comes from:
 *
 * - a **known device** (a browser that completed a login of this account, by its device cookie):
 *   its own bucket only;
 * - a **known address** (one this staff member logged in from in the last 30 days): that
 *   address's bucket only;
 * - anywhere else: that address's bucket *and* the account's **stranger** bucket, shared by every
 *   unfamiliar source, which has more free tries (20) but then slows all strangers down together —
 *   a botnet of many addresses cannot multiply its guesses.
 *
 * So an outsider's failures, from any number of addresses, slow only outsiders: the staff member at
 * a familiar desk or on a familiar browser gets in with the right password and code. A bucket
 * forgets after a day without failures, and a login from it clears it.
 */
import { AppError } from './errors.ts';

export const throttlePolicy = {
  /** Failures a device or an address may make before delays begin. */
  freeFailures: 5,
  /** Failures all unfamiliar sources together may make before delays begin. */
  strangerFreeFailures: 20,
  maxDelaySeconds: 15 * 60,
  /** A bucket without a failure for this long starts again from zero. */
  windowSeconds: 24 * 60 * 60,
  /** An address stays known this long after the last login from it. */
  knownAddressDays: 30,
  /** The 管理员 is told once the strangers' failures on one account reach this many. */
  alertFailures: 20,
} as const;

export type BucketKind = 'device' | 'address' | 'stranger';

export interface Bucket {
  failures: number;
  lastFailureAt: Date;
}

/** The bucket as it stands at `now`: forgotten after a quiet window. */
export function current(bucket: Bucket | undefined, now: Date): Bucket | undefined {
  if (!bucket) return undefined;
  return now.getTime() - bucket.lastFailureAt.getTime() >= throttlePolicy.windowSeconds * 1000 ? undefined : bucket;
}

/** The delay after the last failure: 0 within the free tries, then 1 s doubling to the cap. */
export function delaySeconds(failures: number, free: number): number {
  if (failures <= free) return 0;
  return Math.min(2 ** Math.min(failures - free - 1, 30), throttlePolicy.maxDelaySeconds);
}

const freeOf = (kind: BucketKind) => (kind === 'stranger' ? throttlePolicy.strangerFreeFailures : throttlePolicy.freeFailures);

/** Whole seconds until the bucket may try again; 0 when it may now. */
export function waitSeconds(kind: BucketKind, bucket: Bucket | undefined, now: Date): number {
  const live = current(bucket, now);
  if (!live) return 0;
  const allowedAt = live.lastFailureAt.getTime() + delaySeconds(live.failures, freeOf(kind)) * 1000;
  return Math.max(0, Math.ceil((allowedAt - now.getTime()) / 1000));
}

export function afterFailure(bucket: Bucket | undefined, now: Date): Bucket {
  return { failures: (current(bucket, now)?.failures ?? 0) + 1, lastFailureAt: now };
}

/** The moment the bucket may try again (what the stranger bucket stores). */
export function allowedAt(kind: BucketKind, bucket: Bucket, now: Date): Date {
  return new Date(now.getTime() + waitSeconds(kind, bucket, now) * 1000);
}

/**
 * The address a bucket is kept for: IPv4 as it is, IPv6 by its /64 (one subscriber's network,
 * which hands out addresses without end), an IPv4-mapped IPv6 address as the IPv4 it maps.
 */
export function sourceAddress(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The refusal of an attempt made inside a delay: how long to wait, in words and in Retry-After. */
export function throttledError(seconds: number): AppError {
  const wait = seconds >= 60 ? `${Math.ceil(seconds / 60)} 分钟` : `${seconds} 秒`;
  return new AppError('STAFF_THROTTLED', `登录失败次数过多，请 ${wait}后再试`, 429, { retryAfterSeconds: seconds });
}
