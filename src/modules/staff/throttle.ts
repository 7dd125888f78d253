/**
 * The staff login's throttle (rules: domain/login-throttle.ts), kept where every instance sees it:
 *
 * - the strangers' bucket of an account in its own row (`failed_logins`, `locked_until`: until when
 *   unfamiliar sources wait), read and written under the row lock the login holds anyway;
 * - the buckets of addresses and devices, what each account knows of its staff member (addresses
 *   logged in from, device cookies), and the 管理员's notices of sustained attacks, in the shared
 *   `settings` table under keys of their own (`staff.throttle.<account>.…`, `staff.familiar.<account>`,
 *   `staff.alert.<account>`), like the login tickets (login-state.ts).
 *
 * A device cookie is `<device id>.<secret>`, made at a browser's first complete login; an account
 * keeps the SHA-256 of the secret of each browser that completed a login of it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, gt, like, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../../db/database.ts';
import { settings } from '../../db/schema.ts';
import {
  afterFailure,
  allowedAt,
  delaySeconds,
  sourceAddress,
  throttledError,
  throttlePolicy,
  waitSeconds,
  type Bucket,
  type BucketKind,
} from '../../domain/login-throttle.ts';
import type { AppError } from '../../domain/errors.ts';
import * as repo from './repository.ts';

export const DEVICE_COOKIE = 'certdesk_staff_device';
/** Devices and addresses an account remembers, newest first. */
const FAMILIAR_LIMIT = 20;
/** How long an unacknowledged notice stays in the 管理员's list after the attack's last failure. */
const ALERT_SHOWN_DAYS = 7;

const bucketKey = (accountId: string, kind: 'device' | 'address', id: string) => `staff.throttle.${accountId}.${kind}.${id}`;
const familiarKey = (accountId: string) => `staff.familiar.${accountId}`;
const alertKey = (accountId: string) => `staff.alert.${accountId}`;
const sha256 = (value: string) => createHash('sha256').update(value).digest();

const storedBucket = z.object({ failures: z.number().int().min(0), lastFailureAt: z.iso.datetime() });
const familiarSchema = z.object({
  addresses: z.array(z.object({ address: z.string(), at: z.iso.datetime() })),
  devices: z.array(z.object({ id: z.string(), hash: z.string(), at: z.iso.datetime() })),
});
type Familiar = z.infer<typeof familiarSchema>;
const alertSchema = z.object({
  since: z.iso.datetime(),
  lastAt: z.iso.datetime(),
  /** Failures from unfamiliar sources, or from the one bucket that raised it. */
  failures: z.number().int(),
  addresses: z.number().int(),
  acknowledgedAt: z.iso.datetime().nullable(),
});
type StoredAlert = z.infer<typeof alertSchema>;

/** Where an attempt comes from, as the throttle judges it. */
export interface Standing {
  kind: BucketKind;
  address: string;
  /** A known device: its id. */
  deviceId?: string;
  /** The device cookie the browser sent, if it is well formed (whichever account it was made for). */
  presented?: { id: string; secret: string };
}

export interface LoginSource {
  ip: string;
  deviceToken: string | undefined;
}

const DEVICE_TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

async function readSetting(tx: Tx | Db, key: string): Promise<unknown> {
  const [row] = await tx.select().from(settings).where(eq(settings.key, key));
  if (!row) return undefined;
  try {
    return JSON.parse(row.value);
  } catch {
    return undefined;
  }
}

async function writeSetting(tx: Tx, key: string, value: unknown, now: Date): Promise<void> {
  const text = JSON.stringify(value);
  await tx.insert(settings).values({ key, value: text, updatedAt: now }).onConflictDoUpdate({ target: settings.key, set: { value: text, updatedAt: now } });
}

async function readBucket(tx: Tx, key: string): Promise<Bucket | undefined> {
  const parsed = storedBucket.safeParse(await readSetting(tx, key));
  return parsed.success ? { failures: parsed.data.failures, lastFailureAt: new Date(parsed.data.lastFailureAt) } : undefined;
}

async function readFamiliar(tx: Tx, accountId: string): Promise<Familiar> {
  const parsed = familiarSchema.safeParse(await readSetting(tx, familiarKey(accountId)));
  return parsed.success ? parsed.data : { addresses: [], devices: [] };
}

/** The strangers' bucket, from the account row: `locked_until` is when they may try again. */
function strangerBucket(row: repo.StaffAccountRow): Bucket | undefined {
  if (row.failedLogins === 0 || !row.lockedUntil) return undefined;
  const delay = delaySeconds(row.failedLogins, throttlePolicy.strangerFreeFailures);
  return { failures: row.failedLogins, lastFailureAt: new Date(row.lockedUntil.getTime() - delay * 1000) };
}

function ownKey(accountId: string, standing: Standing): string {
  return standing.kind === 'device' ? bucketKey(accountId, 'device', standing.deviceId!) : bucketKey(accountId, 'address', standing.address);
}

/** Is this a device or an address the account knows? */
export async function standingOf(tx: Tx, row: repo.StaffAccountRow, source: LoginSource, now: Date): Promise<Standing> {
  const address = sourceAddress(source.ip);
  const token = source.deviceToken ? DEVICE_TOKEN.exec(source.deviceToken) : null;
  const presented = token ? { id: token[1]!, secret: token[2]! } : undefined;
  const familiar = await readFamiliar(tx, row.id);
  if (presented) {
    const device = familiar.devices.find((d) => d.id === presented.id);
    const expected = device ? Buffer.from(device.hash, 'hex') : undefined;
    const given = sha256(presented.secret);
    if (expected && expected.length === given.length && timingSafeEqual(expected, given)) {
      return { kind: 'device', address, deviceId: presented.id, presented };
    }
  }
  const knownSince = now.getTime() - throttlePolicy.knownAddressDays * 86_400_000;
  const known = familiar.addresses.some((a) => a.address === address && new Date(a.at).getTime() > knownSince);
  return { kind: known ? 'address' : 'stranger', address, ...(presented ? { presented } : {}) };
}

/** The refusal when this attempt falls inside a delay; undefined when it may be judged. */
export async function refusal(tx: Tx, row: repo.StaffAccountRow, standing: Standing, now: Date): Promise<AppError | undefined> {
  const ownKind = standing.kind === 'device' ? 'device' : 'address';
  let wait = waitSeconds(ownKind, await readBucket(tx, ownKey(row.id, standing)), now);
  if (standing.kind === 'stranger') wait = Math.max(wait, waitSeconds('stranger', strangerBucket(row), now));
  return wait > 0 ? throttledError(wait) : undefined;
}

export interface FailureOutcome {
  /** Set when this failure began a notice for the 管理员 (one per attack). */
  alertOpened?: { failures: number; addresses: number };
}

/** Charges a failed password or code to the attempt's buckets; may open a notice for the 管理员. */
export async function recordFailure(tx: Tx, row: repo.StaffAccountRow, standing: Standing, now: Date): Promise<FailureOutcome> {
  const key = ownKey(row.id, standing);
  const own = afterFailure(await readBucket(tx, key), now);
  await writeSetting(tx, key, { failures: own.failures, lastFailureAt: now.toISOString() }, now);
  let strangers: Bucket | undefined;
  if (standing.kind === 'stranger') {
    strangers = afterFailure(strangerBucket(row), now);
    await repo.update(tx, row.id, { failedLogins: strangers.failures, lockedUntil: allowedAt('stranger', strangers, now) });
  }
  // Buckets of the account that have been quiet for a day are forgotten (bounded by the delays).
  const stale = new Date(now.getTime() - throttlePolicy.windowSeconds * 1000);
  await tx.delete(settings).where(and(like(settings.key, `staff.throttle.${row.id}.%`), lt(settings.updatedAt, stale)));

  const failures = Math.max(strangers?.failures ?? 0, own.failures);
  if (failures < throttlePolicy.alertFailures) return {};
  const addresses = await tx
    .select({ key: settings.key })
    .from(settings)
    .where(and(like(settings.key, `staff.throttle.${row.id}.address.%`), gt(settings.updatedAt, stale)));
  const previous = alertSchema.safeParse(await readSetting(tx, alertKey(row.id)));
  // One notice per attack: the same while its failures keep coming, a new one after a quiet day.
  const ongoing = previous.success && now.getTime() - new Date(previous.data.lastAt).getTime() < throttlePolicy.windowSeconds * 1000;
  const alert: StoredAlert = {
    since: ongoing ? previous.data.since : now.toISOString(),
    lastAt: now.toISOString(),
    failures,
    addresses: addresses.length,
    acknowledgedAt: ongoing ? previous.data.acknowledgedAt : null,
  };
  await writeSetting(tx, alertKey(row.id), alert, now);
  return ongoing ? {} : { alertOpened: { failures, addresses: addresses.length } };
}

/**
 * A complete login: its own bucket is cleared (not the strangers', which other people fill), the
 * address and the browser become known. Returns the device cookie to set: the browser's own, or a
 * new one.
 */
export async function recordSuccess(tx: Tx, row: repo.StaffAccountRow, standing: Standing, now: Date): Promise<string> {
  await tx.delete(settings).where(eq(settings.key, ownKey(row.id, standing)));
  const device = standing.presented ?? { id: randomBytes(16).toString('base64url'), secret: randomBytes(32).toString('base64url') };
  const familiar = await readFamiliar(tx, row.id);
  const at = now.toISOString();
  const next: Familiar = {
    addresses: [{ address: standing.address, at }, ...familiar.addresses.filter((a) => a.address !== standing.address)].slice(0, FAMILIAR_LIMIT),
    devices: [{ id: device.id, hash: sha256(device.secret).toString('hex'), at }, ...familiar.devices.filter((d) => d.id !== device.id)].slice(0, FAMILIAR_LIMIT),
  };
  await writeSetting(tx, familiarKey(row.id), next, now);
  return `${device.id}.${device.secret}`;
}

/** A new second factor: the devices that logged in with the old one are strangers again. */
export async function forgetDevices(tx: Tx, accountId: string, now: Date): Promise<void> {
  const familiar = await readFamiliar(tx, accountId);
  await writeSetting(tx, familiarKey(accountId), { ...familiar, devices: [] }, now);
}

export interface LoginAlert {
  accountId: string;
  since: Date;
  lastAt: Date;
  failures: number;
  addresses: number;
}

/** The notices the 管理员 has not acknowledged, of attacks seen in the last week. */
export async function openAlerts(db: Db, now: Date): Promise<LoginAlert[]> {
  const rows = await db.select().from(settings).where(like(settings.key, 'staff.alert.%'));
  const shownAfter = now.getTime() - ALERT_SHOWN_DAYS * 86_400_000;
  return rows
    .flatMap((r) => {
      let value: unknown;
      try {
        value = JSON.parse(r.value);
      } catch {
        return [];
      }
      const parsed = alertSchema.safeParse(value);
      if (!parsed.success || parsed.data.acknowledgedAt || new Date(parsed.data.lastAt).getTime() < shownAfter) return [];
      const a = parsed.data;
      return [{ accountId: r.key.slice('staff.alert.'.length), since: new Date(a.since), lastAt: new Date(a.lastAt), failures: a.failures, addresses: a.addresses }];
    })
    .sort((x, y) => y.lastAt.getTime() - x.lastAt.getTime());
}

/** 知悉: the notice leaves the list; an attack that goes on past a quiet day opens a new one. */
export async function acknowledgeAlert(tx: Tx, accountId: string, now: Date): Promise<boolean> {
  const parsed = alertSchema.safeParse(await readSetting(tx, alertKey(accountId)));
  if (!parsed.success || parsed.data.acknowledgedAt) return false;
  await writeSetting(tx, alertKey(accountId), { ...parsed.data, acknowledgedAt: now.toISOString() }, now);
  return true;
}
