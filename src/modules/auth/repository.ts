/** auth's tables: applicants, login_codes, sessions. Only this file queries them. */
import { and, desc, eq, gte, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.ts';
import { applicants, loginCodes, sessions } from '../../db/schema.ts';

type Conn = Db | Tx;

/** Serialises everything that reads-then-writes one phone's codes, across instances. */
export async function lockPhone(tx: Tx, phone: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`login:${phone}`}))`);
}

/** A code the gateway never took does not count against the person who asked for it. */
const delivered = or(isNull(loginCodes.endReason), ne(loginCodes.endReason, 'undeliverable'));

/**
 * Counts within [from, now]: rows stamped later (another instance's clock) are not "in the last hour".
 * One query for the three figures: it runs under the phone's lock on every 获取验证码, and under a
 * burst (on the embedded database above all) every round trip there is one more for all waiting.
 */
export async function issueHistory(tx: Conn, phone: string, ip: string, dayStart: Date, hourAgo: Date, now: Date) {
  const ofPhone = and(eq(loginCodes.phone, phone), delivered);
  const upToNow = lte(loginCodes.createdAt, now);
  const [row] = await tx
    .select({
      lastIssuedAt: sql<Date | null>`max(${loginCodes.createdAt}) filter (where ${ofPhone})`.mapWith(loginCodes.createdAt),
      issuedTodayForPhone: sql<number>`count(*) filter (where ${and(ofPhone, gte(loginCodes.createdAt, dayStart), upToNow)})`.mapWith(Number),
      issuedLastHourForIp: sql<number>`count(*) filter (where ${and(eq(loginCodes.ip, ip), gte(loginCodes.createdAt, hourAgo), upToNow, delivered)})`.mapWith(Number),
    })
    .from(loginCodes)
    .where(or(eq(loginCodes.phone, phone), and(eq(loginCodes.ip, ip), gte(loginCodes.createdAt, hourAgo))));
  return {
    lastIssuedAt: row?.lastIssuedAt ?? null,
    issuedTodayForPhone: row?.issuedTodayForPhone ?? 0,
    issuedLastHourForIp: row?.issuedLastHourForIp ?? 0,
  };
}

export type CodePurpose = (typeof loginCodes.$inferSelect)['purpose'];

/**
 * The phone's new code for `purpose`, ending its live ones (replaced) in the same statement: on
 * every 获取验证码, under the phone's lock, so one round trip fewer for everyone waiting in a burst.
 * Both parts read the statement's snapshot, so the new row is never the one ended.
 */
export async function replaceLiveCode(
  tx: Conn,
  row: { phone: string; purpose: CodePurpose; codeHash: string; ip: string; createdAt: Date; expiresAt: Date },
) {
  await tx.execute(sql`
    WITH ended AS (
      UPDATE ${loginCodes} SET ${sql.identifier(loginCodes.endedAt.name)} = ${sql.param(row.createdAt, loginCodes.endedAt)}, ${sql.identifier(loginCodes.endReason.name)} = 'replaced'
      WHERE ${loginCodes.phone} = ${row.phone} AND ${loginCodes.purpose} = ${row.purpose} AND ${loginCodes.endedAt} IS NULL
    )
    INSERT INTO ${loginCodes} (phone, purpose, code_hash, ip, created_at, expires_at)
    VALUES (${row.phone}, ${row.purpose}, ${row.codeHash}, ${row.ip}, ${sql.param(row.createdAt, loginCodes.createdAt)}, ${sql.param(row.expiresAt, loginCodes.expiresAt)})`);
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
