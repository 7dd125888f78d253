/**
 * notifications' renewal_reminders table, and the read the 到期提醒 job makes of the certificates
 * it is about. It writes only renewal_reminders; the certificates (the CA's) and the applications
 * it joins are read, never written — as the revocation requests and payments read them.
 */
import { and, asc, eq, gt, isNotNull, lte, min, notExists, notInArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../../db/database.ts';
import { applications, certificates, renewalReminders } from '../../db/schema.ts';
import { renewalStatusesKeepingReminders } from '../../domain/renewal.ts';

type Conn = Db | Tx;
const DAY_MS = 86_400_000;

export interface ReminderCandidate {
  id: number;
  serialHex: string;
  notAfter: Date;
  subjectOrg: string | null;
  applicationId: string;
  applicantId: string;
  orgName: string | null;
  /** The smallest threshold reminded so far, null when none was. */
  smallestSent: number | null;
}

export interface CandidateScope {
  now: Date;
  /** The largest threshold: nothing ending later than this many days from now is looked at. */
  horizonDays: number;
}

const successor = alias(certificates, 'successor');
const renewal = alias(applications, 'renewal');

/**
 * A certificate reminders are about: a unit signing certificate of an application, valid, ending
 * between a day ago and the horizon (daysLeft 0 … horizon), not renewed (no certificate names it
 * as predecessor) and with no submitted renewal of it under way.
 */
function reminded(conn: Conn, scope: CandidateScope) {
  return and(
    eq(certificates.profile, 'unitSigning'),
    eq(certificates.status, 'valid'),
    isNotNull(certificates.applicationId),
    gt(certificates.notAfter, new Date(scope.now.getTime() - DAY_MS)),
    lte(certificates.notAfter, new Date(scope.now.getTime() + scope.horizonDays * DAY_MS)),
    notExists(conn.select({ one: sql`1` }).from(successor).where(eq(successor.predecessorSerialHex, certificates.serialHex))),
    notExists(
      conn
        .select({ one: sql`1` })
        .from(renewal)
        .where(and(eq(renewal.concernsSerial, certificates.serialHex), notInArray(renewal.status, [...renewalStatusesKeepingReminders]))),
    ),
  );
}

const columns = {
  id: certificates.id,
  serialHex: certificates.serialHex,
  notAfter: certificates.notAfter,
  subjectOrg: certificates.subjectOrg,
  applicationId: applications.id,
  applicantId: applications.applicantId,
  orgName: applications.orgName,
  smallestSent: sql<number | null>`(SELECT min(${renewalReminders.thresholdDays}) FROM ${renewalReminders} WHERE ${renewalReminders.certificateSerial} = ${certificates.serialHex})`,
};

/** The next `limit` certificates reminders are about, after id `afterId` (keyset paging). */
export async function candidates(conn: Conn, scope: CandidateScope, afterId: number, limit: number): Promise<ReminderCandidate[]> {
  return conn
    .select(columns)
    .from(certificates)
    .innerJoin(applications, eq(applications.id, certificates.applicationId))
    .where(and(reminded(conn, scope), gt(certificates.id, afterId)))
    .orderBy(asc(certificates.id))
    .limit(limit);
}

/**
 * The same read for one certificate, its row locked for the transaction: instances reminding at
 * once take turns, and a revocation committed meanwhile is seen (the row is read again once free).
 * The thresholds sent are read after the lock, in a statement of their own: one that began before
 * it would not see what the instance it waited for has just committed.
 */
export async function lockCandidate(tx: Tx, scope: CandidateScope, serialHex: string): Promise<ReminderCandidate | undefined> {
  const { smallestSent: _sent, ...locked } = columns;
  const [row] = await tx
    .select(locked)
    .from(certificates)
    .innerJoin(applications, eq(applications.id, certificates.applicationId))
    .where(and(reminded(tx, scope), eq(certificates.serialHex, serialHex)))
    .for('no key update', { of: certificates });
  if (!row) return undefined;
  const [sent] = await tx
    .select({ smallest: min(renewalReminders.thresholdDays) })
    .from(renewalReminders)
    .where(eq(renewalReminders.certificateSerial, serialHex));
  return { ...row, smallestSent: sent?.smallest ?? null };
}

/** Claims the reminder of `thresholdDays`: false when it was claimed already (by any instance, at any time). */
export async function claimReminder(tx: Tx, row: typeof renewalReminders.$inferInsert): Promise<boolean> {
  const inserted = await tx
    .insert(renewalReminders)
    .values(row)
    .onConflictDoNothing({ target: [renewalReminders.certificateSerial, renewalReminders.thresholdDays] })
    .returning({ serial: renewalReminders.certificateSerial });
  return inserted.length > 0;
}
