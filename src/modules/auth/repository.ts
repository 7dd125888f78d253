/** auth's tables: applicants, login_codes, sessions. Only this file queries them. */
import { and, desc, eq, gte, isNull, lte, ne, or, sql } from 'drizzle-orm';
import { selectRows, type Db, type Tx } from '../../db/database.ts';
import { applicants, loginCodes, sessions } from '../../db/schema.ts';
import { advisoryXactLock } from '../../db/advisory-lock.ts';

type Conn = Db | Tx;

/** Serialises everything that reads-then-writes one phone's codes, across instances. */
export async function lockPhone(tx: Tx, phone: string): Promise<void> {
  await advisoryXactLock(tx, `login:${phone}`);
}

/** A code the gateway never took does not count against the person who asked for it. */
const delivered = or(isNull(loginCodes.endReason), ne(loginCodes.endReason, 'undeliverable'));

export type CodePurpose = (typeof loginCodes.$inferSelect)['purpose'];

export interface IssueWindow {
  ip: string;
  /** Midnight in Beijing of the day `now` falls in. */
  dayStart: Date;
  hourAgo: Date;
  now: Date;
}

/**
 * The phone's new code for `purpose`, ending its live ones (replaced), and the history the limits
 * are judged on as it stood before — one statement on every 获取验证码, where under a burst (on the
 * embedded database above all) every round trip is one more for all who wait. Every part reads
 * the statement's snapshot, so the history never counts the new row and the new row is never the
 * one ended. The caller judges the history and, to refuse, throws: the transaction rolls back.
 *
 * The history counts within [from, now]: rows stamped later (another instance's clock) are not
 * "in the last hour".
 */
export async function replaceLiveCode(
  tx: Conn,
  row: { phone: string; purpose: CodePurpose; codeHash: string; createdAt: Date; expiresAt: Date },
  window: IssueWindow,
) {
  const { ip, dayStart, hourAgo, now } = window;
  const ofPhone = and(eq(loginCodes.phone, row.phone), delivered);
  const upToNow = lte(loginCodes.createdAt, now);
  const history = tx
    .select({
      lastIssuedAt: sql<Date | null>`max(${loginCodes.createdAt}) filter (where ${ofPhone})`.as('last_issued_at'),
      issuedTodayForPhone: sql<number>`count(*) filter (where ${and(ofPhone, gte(loginCodes.createdAt, dayStart), upToNow)})`.as('issued_today_for_phone'),
      issuedLastHourForIp: sql<number>`count(*) filter (where ${and(eq(loginCodes.ip, ip), gte(loginCodes.createdAt, hourAgo), upToNow, delivered)})`.as('issued_last_hour_for_ip'),
    })
    .from(loginCodes)
    .where(or(eq(loginCodes.phone, row.phone), and(eq(loginCodes.ip, ip), gte(loginCodes.createdAt, hourAgo))));
  const [h] = await selectRows<{ last_issued_at: string | null; issued_today_for_phone: string | number; issued_last_hour_for_ip: string | number }>(tx, sql`
    WITH history AS (${history}),
    ended AS (
      UPDATE ${loginCodes} SET ${sql.identifier(loginCodes.endedAt.name)} = ${sql.param(row.createdAt, loginCodes.endedAt)}, ${sql.identifier(loginCodes.endReason.name)} = 'replaced'
      WHERE ${loginCodes.phone} = ${row.phone} AND ${loginCodes.purpose} = ${row.purpose} AND ${loginCodes.endedAt} IS NULL
    ),
    issued AS (
      INSERT INTO ${loginCodes} (phone, purpose, code_hash, ip, created_at, expires_at)
      VALUES (${row.phone}, ${row.purpose}, ${row.codeHash}, ${ip}, ${sql.param(row.createdAt, loginCodes.createdAt)}, ${sql.param(row.expiresAt, loginCodes.expiresAt)})
    )
    SELECT last_issued_at, issued_today_for_phone, issued_last_hour_for_ip FROM history`);
  return {
    lastIssuedAt: h?.last_issued_at ? new Date(h.last_issued_at) : null,
    issuedTodayForPhone: Number(h?.issued_today_for_phone ?? 0),
    issuedLastHourForIp: Number(h?.issued_last_hour_for_ip ?? 0),
  };
}

export async function liveCode(tx: Conn, phone: string, purpose: CodePurpose = 'login') {
  const [row] = await tx
    .select()
    .from(loginCodes)
    .where(and(eq(loginCodes.phone, phone), eq(loginCodes.purpose, purpose), isNull(loginCodes.endedAt)))
    .orderBy(desc(loginCodes.createdAt))
    .limit(1);
  return row;
}

export async function recordFailure(tx: Conn, id: number, failedAttempts: number, burnedAt: Date | null) {
  await tx
    .update(loginCodes)
    .set(burnedAt ? { failedAttempts, endedAt: burnedAt, endReason: 'burned' } : { failedAttempts })
    .where(eq(loginCodes.id, id));
}

export async function markUsed(tx: Conn, id: number, now: Date) {
  await tx.update(loginCodes).set({ endedAt: now, endReason: 'used' }).where(eq(loginCodes.id, id));
}

export async function phoneOf(tx: Conn, applicantId: string): Promise<string | undefined> {
  const [row] = await tx.select({ phone: applicants.phone }).from(applicants).where(eq(applicants.id, applicantId));
  return row?.phone;
}

/** Registers the phone on its first login; returns the applicant either way. */
export async function upsertApplicant(tx: Conn, phone: string, now: Date) {
  const [row] = await tx
    .insert(applicants)
    .values({ phone, createdAt: now, lastLoginAt: now })
    .onConflictDoUpdate({ target: applicants.phone, set: { lastLoginAt: now } })
    .returning();
  if (!row) throw new Error('applicant upsert returned nothing');
  return row;
}

export async function insertSession(tx: Conn, row: typeof sessions.$inferInsert) {
  await tx.insert(sessions).values(row);
}

/**
 * A session with its applicant's phone in the same round trip: this runs on every request, and on
 * the embedded database a second query costs as much as the first.
 */
export async function findSession(tx: Conn, tokenHash: string) {
  const [row] = await tx
    .select({ session: sessions, applicantPhone: applicants.phone })
    .from(sessions)
    .leftJoin(applicants, and(eq(sessions.principalKind, 'applicant'), eq(applicants.id, sessions.principalId)))
    .where(eq(sessions.tokenHash, tokenHash));
  return row && { ...row.session, applicantPhone: row.applicantPhone };
}

export async function touchSession(tx: Conn, tokenHash: string, now: Date) {
  await tx.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash));
}

export async function deleteSession(tx: Conn, tokenHash: string) {
  await tx.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}

/** Ends every session of one principal (a disabled staff account, a reset second factor). */
export async function deleteSessionsOf(tx: Conn, principalKind: 'applicant' | 'staff', principalId: string) {
  await tx.delete(sessions).where(and(eq(sessions.principalKind, principalKind), eq(sessions.principalId, principalId)));
}
