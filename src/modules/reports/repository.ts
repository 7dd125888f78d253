/**
 * reports: the 运营看板's figures and the exports, in SQL over the real tables. The one module that
 * reads across the others' tables — read only, never writing — because a figure is an aggregate
 * over several of them (an application's audit records, its payments, its certificates), which
 * no module's service could hand over without sending every row. Days are Beijing dates: each
 * instant is grouped by its date at UTC+8. Money in fen.
 *
 * Indexes (src/db/schema.ts): applications (submitted_at), audit_log (entity_type, action, at)
 * beside its (entity_type, entity_id, id), payments (paid_at), refunds (created_at), certificates
 * (profile, not_after) and (profile, created_at).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import {
  actionOf,
  funnelSteps,
  PRODUCTION_CYCLE_HOURS,
  productionEnds,
  productionStarts,
  reviewDecisions,
  reviewStarts,
  type FunnelStep,
} from '../../domain/reports.ts';
import type { ApplicationEvent } from '../../domain/application.ts';

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

/** The Beijing date of a timestamptz column, as text (YYYY-MM-DD). */
const day = (column: SQL) => sql`to_char((${column} AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM-DD')`;
const actions = (events: readonly ApplicationEvent[]) => sql.join(events.map((e) => sql`${actionOf(e)}`), sql`, `);
/** Count, median, p90 and mean (seconds) of the column `secs` of a subquery. */
const spread = sql`count(*)::int AS n,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY secs)::float8 AS median,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY secs)::float8 AS p90`;

export interface Spread {
  n: number;
  median: number | null;
  p90: number | null;
}

/** Applications submitted (first 提交) in [from, to), per Beijing day, kind and current status. */
export function applicationsByDay(db: Db, from: Date, to: Date) {
  return rows<{ day: string; kind: string; status: string; n: number }>(
    db,
    sql`SELECT ${day(sql`submitted_at`)} AS day, kind, status, count(*)::int AS n
        FROM applications WHERE submitted_at >= ${from} AND submitted_at < ${to}
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
}

/** Of the applications submitted in [from, to): how many reached each step, by their audit records. */
export async function funnel(db: Db, from: Date, to: Date): Promise<Record<FunnelStep, number>> {
  const reached = funnelSteps.map((s) => sql`bool_or(l.action IN (${actions(s.events)})) AS ${sql.identifier(s.key)}`);
  const counts = funnelSteps.map((s) => sql`count(*) FILTER (WHERE ${sql.identifier(s.key)})::int AS ${sql.identifier(s.key)}`);
  const all = [...new Set(funnelSteps.flatMap((s) => s.events))];
  const [row] = await rows<Record<FunnelStep, number>>(
    db,
    sql`SELECT ${sql.join(counts, sql`, `)} FROM (
          SELECT ${sql.join(reached, sql`, `)}
          FROM applications a
          JOIN audit_log l ON l.entity_type = 'application' AND l.entity_id = a.id::text AND l.action IN (${actions(all)})
          WHERE a.submitted_at >= ${from} AND a.submitted_at < ${to}
          GROUP BY a.id) f`,
  );
  return row!;
}

/** Each 审核员 decision made in [from, to), with the (re)submission it answered: the seconds between. */
const reviewTimes = (from: Date, to: Date) => sql`
  SELECT ${day(sql`d.at`)} AS day, extract(epoch FROM d.at - s.at)::float8 AS secs
  FROM audit_log d
  CROSS JOIN LATERAL (
    SELECT at FROM audit_log s
    WHERE s.entity_type = 'application' AND s.entity_id = d.entity_id AND s.id < d.id AND s.action IN (${actions(reviewStarts)})
    ORDER BY s.id DESC LIMIT 1) s
  WHERE d.entity_type = 'application' AND d.action IN (${actions(reviewDecisions)}) AND d.at >= ${from} AND d.at < ${to}`;

/** The first dispatch (邮寄, 通知自取, 在线领取) of each application in [from, to), and the payment before it. */
const productionTimes = (from: Date, to: Date) => sql`
  SELECT DISTINCT ON (e.entity_id) ${day(sql`e.at`)} AS day, extract(epoch FROM e.at - p.at)::float8 AS secs
  FROM audit_log e
  CROSS JOIN LATERAL (
    SELECT at FROM audit_log p
    WHERE p.entity_type = 'application' AND p.entity_id = e.entity_id AND p.id < e.id AND p.action IN (${actions(productionStarts)})
    ORDER BY p.id DESC LIMIT 1) p
  WHERE e.entity_type = 'application' AND e.action IN (${actions(productionEnds)}) AND e.at >= ${from} AND e.at < ${to}
  ORDER BY e.entity_id, e.id`;

export async function reviewTurnaround(db: Db, from: Date, to: Date) {
  const [total] = await rows<Spread>(db, sql`SELECT ${spread} FROM (${reviewTimes(from, to)}) t`);
  const byDay = await rows<Spread & { day: string }>(db, sql`SELECT day, ${spread} FROM (${reviewTimes(from, to)}) t GROUP BY day ORDER BY day`);
  return { total: total!, byDay };
}

export async function productionTurnaround(db: Db, from: Date, to: Date) {
  const cycle = PRODUCTION_CYCLE_HOURS * 3600;
  const [total] = await rows<Spread & { withinCycle: number }>(
    db,
    sql`SELECT ${spread}, count(*) FILTER (WHERE secs <= ${cycle})::int AS "withinCycle" FROM (${productionTimes(from, to)}) t`,
  );
  const byDay = await rows<Spread & { day: string }>(db, sql`SELECT day, ${spread} FROM (${productionTimes(from, to)}) t GROUP BY day ORDER BY day`);
  return { total: total!, byDay };
}

/**
 * Applications 待审核 at `now`, each since its latest (re)submission: how many, and those waiting
 * since before `before`. (Submitted after `now` they do not count: the figures are as of `now`.)
 */
export async function reviewWaiting(db: Db, now: Date, before: Date, limit = 100) {
  const waiting = sql`
    SELECT a.id, a.number, a.kind, a.org_name AS "orgName", a.project_id AS "projectId", s.at AS since
    FROM applications a
    CROSS JOIN LATERAL (
      SELECT at FROM audit_log s
      WHERE s.entity_type = 'application' AND s.entity_id = a.id::text AND s.action IN (${actions(reviewStarts)})
      ORDER BY s.id DESC LIMIT 1) s
    WHERE a.status = 'pending_review' AND s.at <= ${now}`;
  const [counts] = await rows<{ pending: number; overdue: number }>(
    db,
    sql`SELECT count(*)::int AS pending, count(*) FILTER (WHERE since < ${before})::int AS overdue FROM (${waiting}) w`,
  );
  const overdue = await rows<{ id: string; number: string; kind: string; orgName: string | null; projectId: string | null; since: Date | string }>(
    db,
    sql`SELECT * FROM (${waiting}) w WHERE since < ${before} ORDER BY since LIMIT ${limit}`,
  );
  return { ...counts!, overdueItems: overdue.map((r) => ({ ...r, since: new Date(r.since) })) };
}

/** Paid and not yet dispatched, paid before `before` (past the 制证周期). */
export async function productionOverdue(db: Db, before: Date): Promise<number> {
  const [row] = await rows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM applications a
        WHERE a.status IN ('paid', 'in_production') AND (
          SELECT at FROM audit_log p
          WHERE p.entity_type = 'application' AND p.entity_id = a.id::text AND p.action IN (${actions(productionStarts)})
          ORDER BY p.id DESC LIMIT 1) < ${before}`,
  );
  return row!.n;
}

/** (Sums of fen come back as float8: exact below 2^53 fen, where int4 would overflow at 21 million 元.) */
/** Money received: payments that succeeded (a second payment of an application, or one refunded since, too). */
const received = sql`p.paid_at IS NOT NULL AND p.status IN ('paid', 'duplicate', 'refunded')`;

/** Money received in [from, to) per Beijing day, 所属项目 and payment method. */
export function revenueByDay(db: Db, from: Date, to: Date) {
  return rows<{ day: string; projectId: string | null; method: string; n: number; fen: number }>(
    db,
    sql`SELECT ${day(sql`p.paid_at`)} AS day, a.project_id AS "projectId", p.method, count(*)::int AS n, sum(p.amount_fen)::float8 AS fen
        FROM payments p JOIN applications a ON a.id = p.application_id
        WHERE ${received} AND p.paid_at >= ${from} AND p.paid_at < ${to}
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
}

/** Refunds asked for in [from, to) (a failed one returned nothing and is left out), per Beijing day and status. */
export function refundsByDay(db: Db, from: Date, to: Date) {
  return rows<{ day: string; status: string; n: number; fen: number }>(
    db,
    sql`SELECT ${day(sql`created_at`)} AS day, status, count(*)::int AS n, sum(amount_fen)::float8 AS fen
        FROM refunds WHERE status <> 'failed' AND created_at >= ${from} AND created_at < ${to}
        GROUP BY 1, 2 ORDER BY 1, 2`,
  );
}

/**
 * The units' certificates (the signing certificate: a dual pair counts once) at `now` — in force,
 * in force and ending within 30 / 90 days without a successor, revoked by then — and those issued, revoked
 * and due to end in [from, to), with how many of the latter have been renewed (a successor issued).
 */
export async function certificateFigures(db: Db, now: Date, from: Date, to: Date) {
  const in30 = new Date(now.getTime() + 30 * 86_400_000);
  const in90 = new Date(now.getTime() + 90 * 86_400_000);
  const unit = sql`c.profile = 'unitSigning' AND c.application_id IS NOT NULL`;
  const renewed = sql`EXISTS (SELECT 1 FROM certificates n WHERE n.predecessor_serial_hex = c.serial_hex)`;
  const [row] = await rows<{ valid: number; expiring30: number; expiring90: number; revoked: number }>(
    db,
    sql`SELECT count(*) FILTER (WHERE c.not_before <= ${now})::int AS valid,
          count(*) FILTER (WHERE c.not_before <= ${now} AND c.not_after <= ${in30} AND NOT ${renewed})::int AS expiring30,
          count(*) FILTER (WHERE c.not_before <= ${now} AND c.not_after <= ${in90} AND NOT ${renewed})::int AS expiring90,
          (SELECT count(*)::int FROM certificates c WHERE ${unit} AND c.status = 'revoked' AND c.revoked_at <= ${now}) AS revoked
        FROM certificates c WHERE ${unit} AND c.status = 'valid' AND c.not_after > ${now}`,
  );
  const [period] = await rows<{ issued: number; revokedInPeriod: number }>(
    db,
    sql`SELECT (SELECT count(*)::int FROM certificates c WHERE ${unit} AND c.created_at >= ${from} AND c.created_at < ${to}) AS issued,
               (SELECT count(*)::int FROM certificates c WHERE ${unit} AND c.revoked_at >= ${from} AND c.revoked_at < ${to}) AS "revokedInPeriod"`,
  );
  const [renewal] = await rows<{ due: number; renewed: number }>(
    db,
    sql`SELECT count(*)::int AS due, count(*) FILTER (WHERE ${renewed})::int AS renewed
        FROM certificates c WHERE ${unit} AND c.status = 'valid' AND c.not_after >= ${from} AND c.not_after < ${to}`,
  );
  return { ...row!, ...period!, renewal: renewal! };
}

// ───────────────────────────── exports: the rows behind the figures ─────────────────────────────

/** The applications the daily chart counts (submitted in [from, to)), oldest first. */
export function applicationRows(db: Db, from: Date, to: Date) {
  return rows<{
    number: string;
    kind: string;
    status: string;
    applicantType: string;
    orgName: string | null;
    uscc: string | null;
    projectId: string | null;
    termYears: number;
    priceFen: number;
    submittedAt: Date | string;
  }>(
    db,
    sql`SELECT number, kind, status, applicant_type AS "applicantType", org_name AS "orgName", uscc, project_id AS "projectId",
               term_years AS "termYears", price_fen AS "priceFen", submitted_at AS "submittedAt"
        FROM applications WHERE submitted_at >= ${from} AND submitted_at < ${to} ORDER BY submitted_at, number`,
  );
}

/** The payments received and the refunds asked for in [from, to), as the revenue and refund figures count them. */
export function moneyRows(db: Db, from: Date, to: Date) {
  return rows<{
    type: 'payment' | 'refund';
    at: Date | string;
    number: string;
    orgName: string | null;
    projectId: string | null;
    method: string;
    fen: number;
    status: string;
    note: string;
  }>(
    db,
    sql`SELECT 'payment' AS type, p.paid_at AS at, a.number, a.org_name AS "orgName", a.project_id AS "projectId", p.method,
               p.amount_fen AS fen, p.status, coalesce(p.transaction_id, p.remittance_code, '') AS note
        FROM payments p JOIN applications a ON a.id = p.application_id
        WHERE ${received} AND p.paid_at >= ${from} AND p.paid_at < ${to}
        UNION ALL
        SELECT 'refund', r.created_at, a.number, a.org_name, a.project_id, p.method, r.amount_fen, r.status, r.reason
        FROM refunds r JOIN payments p ON p.id = r.payment_id JOIN applications a ON a.id = r.application_id
        WHERE r.status <> 'failed' AND r.created_at >= ${from} AND r.created_at < ${to}
        ORDER BY 2, 1`,
  );
}

/** The units' signing certificates issued in [from, to), oldest first. */
export function certificateRows(db: Db, from: Date, to: Date) {
  return rows<{
    serialHex: string;
    number: string | null;
    subjectOrg: string | null;
    subjectUscc: string | null;
    family: string;
    notBefore: Date | string;
    notAfter: Date | string;
    status: string;
    revokedAt: Date | string | null;
    createdAt: Date | string;
  }>(
    db,
    sql`SELECT c.serial_hex AS "serialHex", a.number, c.subject_org AS "subjectOrg", c.subject_uscc AS "subjectUscc", c.family,
               c.not_before AS "notBefore", c.not_after AS "notAfter", c.status, c.revoked_at AS "revokedAt", c.created_at AS "createdAt"
        FROM certificates c LEFT JOIN applications a ON a.id = c.application_id
        WHERE c.profile = 'unitSigning' AND c.application_id IS NOT NULL AND c.created_at >= ${from} AND c.created_at < ${to}
        ORDER BY c.created_at, c.id`,
  );
}
