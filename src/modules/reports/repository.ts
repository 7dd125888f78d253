/**
 * reports: the 运营看板's figures and the exports, in SQL over the real tables. The one module that
 * reads across the others' tables — read only, never writing — because a figure is an aggregate
 * over several of them (applications with their milestones, payments, refunds, certificates),
 * which no module's service could hand over without sending every row. Days are Beijing dates:
 * each instant is grouped by its date at UTC+8. Money in fen.
 *
 * Indexes (src/db/schema.ts): applications (submitted_at), (approved_at, in_review_since),
 * (dispatched_at, paid_at), (id, project_id) and (status); payments (paid_at); refunds (created_at); certificates
 * (profile, status, not_after, not_before, serial_hex), (profile, created_at), (revoked_at) and
 * (predecessor_serial_hex). Each figure reads the index range of its period, not the whole table
 * (bench/dashboard.ts: a year's business of 100,000 applications); the certificates in force are
 * the exception, and the service keeps them for a minute.
 */
import { sql, type SQL } from 'drizzle-orm';
import { selectRows, type Db } from '../../db/database.ts';
import { PRODUCTION_CYCLE_HOURS, type FunnelStep } from '../../domain/reports.ts';

/**
 * The Beijing date of a timestamptz column, as a date: rows are grouped and sorted by it (a number
 * to compare, where text costs a comparison of strings per row) and each group's is written out
 * once, as `dayText` (YYYY-MM-DD), by the outer query of the subquery naming it `d`.
 */
const day = (column: SQL) => sql`((${column} AT TIME ZONE 'UTC') + interval '8 hours')::date`;
const dayText = sql`to_char(d, 'YYYY-MM-DD')`;

export interface Spread {
  /** null: the whole period (GROUPING SETS' total row). */
  day: string | null;
  n: number;
  /** Seconds. */
  median: number | null;
  p90: number | null;
}

/** Count, median and p90 of `secs` per day `d` and for the whole period (day null), in one pass. */
const spreads = (times: SQL, extra: SQL = sql``) => sql`
  SELECT ${dayText} AS day, count(*)::int AS n,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY secs)::float8 AS median,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY secs)::float8 AS p90 ${extra}
  FROM (${times}) t GROUP BY GROUPING SETS ((d), ()) ORDER BY d NULLS FIRST`;

/**
 * Applications submitted (first 提交) in [from, to), per Beijing day, kind and current status, with
 * how many of them reached each step of the funnel (their milestones).
 */
export function applicationsByDay(db: Db, from: Date, to: Date) {
  return selectRows<{ day: string; kind: string; status: string } & Record<FunnelStep, number>>(
    db,
    sql`SELECT ${dayText} AS day, kind, status, count(*)::int AS submitted, count(approved_at)::int AS approved,
          count(paid_at)::int AS paid, count(production_started_at)::int AS "inProduction", count(dispatched_at)::int AS delivered,
          count(completed_at)::int AS completed
        FROM (SELECT ${day(sql`submitted_at`)} AS d, kind, status, approved_at, paid_at, production_started_at, dispatched_at, completed_at
              FROM applications WHERE submitted_at >= ${from} AND submitted_at < ${to}) a
        GROUP BY d, kind, status ORDER BY d, kind, status`,
  );
}

/**
 * 审核通过 given in [from, to), each since the (re)submission it answered. An 自动审核通过 at 提交
 * (a 续期 the project lets through) took no reviewer and is left out.
 */
export function reviewTurnaround(db: Db, from: Date, to: Date) {
  return selectRows<Spread>(
    db,
    spreads(sql`SELECT ${day(sql`approved_at`)} AS d, extract(epoch FROM approved_at - in_review_since)::float8 AS secs
                FROM applications WHERE approved_at >= ${from} AND approved_at < ${to} AND approved_at > in_review_since`),
  );
}

/** Dispatched (邮寄, 通知自取, 在线领取) in [from, to), each since its payment; how many within the 制证周期. */
export function productionTurnaround(db: Db, from: Date, to: Date) {
  return selectRows<Spread & { withinCycle: number }>(
    db,
    spreads(
      sql`SELECT ${day(sql`dispatched_at`)} AS d, extract(epoch FROM dispatched_at - paid_at)::float8 AS secs
          FROM applications WHERE dispatched_at >= ${from} AND dispatched_at < ${to} AND paid_at IS NOT NULL`,
      sql`, count(*) FILTER (WHERE secs <= ${PRODUCTION_CYCLE_HOURS * 3600})::int AS "withinCycle"`,
    ),
  );
}

/**
 * Applications 待审核 at `now`, each since its latest (re)submission: how many, and those waiting
 * since before `before` (oldest first). Submitted after `now` they do not count: the figures are
 * as of `now`.
 */
export async function reviewWaiting(db: Db, now: Date, before: Date, limit = 100) {
  const waiting = sql`status = 'pending_review' AND in_review_since <= ${now}`;
  const [counts] = await selectRows<{ pending: number; overdue: number }>(
    db,
    sql`SELECT count(*)::int AS pending, count(*) FILTER (WHERE in_review_since < ${before})::int AS overdue FROM applications WHERE ${waiting}`,
  );
  const overdue = await selectRows<{ id: string; number: string; kind: string; orgName: string | null; projectId: string | null; since: Date | string }>(
    db,
    sql`SELECT id, number, kind, org_name AS "orgName", project_id AS "projectId", in_review_since AS since
        FROM applications WHERE ${waiting} AND in_review_since < ${before} ORDER BY in_review_since LIMIT ${limit}`,
  );
  return { ...counts!, overdueItems: overdue.map((r) => ({ ...r, since: new Date(r.since) })) };
}

/** Paid and not yet dispatched, paid before `before` (past the 制证周期). */
export async function productionOverdue(db: Db, before: Date): Promise<number> {
  const [row] = await selectRows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM applications WHERE status IN ('paid', 'in_production') AND paid_at < ${before}`,
  );
  return row!.n;
}

/** (Sums of fen come back as float8: exact below 2^53 fen, where int4 would overflow at 21 million 元.) */
/** Money received: payments that succeeded (a second payment of an application, or one refunded since, too). */
const received = sql`p.paid_at IS NOT NULL AND p.status IN ('paid', 'duplicate', 'refunded')`;

/**
 * Money received in [from, to) per Beijing day, 所属项目 and payment method. Each payment's project
 * is its application's, hashed from applications (id, project_id): an index a tenth of the table's
 * wide rows, read whole whatever the period — less than probing the table once per payment from a
 * month up.
 */
export function revenueByDay(db: Db, from: Date, to: Date) {
  return selectRows<{ day: string; projectId: string | null; method: string; n: number; fen: number }>(
    db,
    sql`SELECT ${dayText} AS day, "projectId", method, count(*)::int AS n, sum(fen)::float8 AS fen
        FROM (SELECT ${day(sql`p.paid_at`)} AS d, a.project_id AS "projectId", p.method, p.amount_fen AS fen
              FROM payments p JOIN applications a ON a.id = p.application_id
              WHERE ${received} AND p.paid_at >= ${from} AND p.paid_at < ${to}) p
        GROUP BY d, "projectId", method ORDER BY d, "projectId", method`,
  );
}

/** Refunds asked for in [from, to) (a failed one returned nothing and is left out), per Beijing day and status. */
export function refundsByDay(db: Db, from: Date, to: Date) {
  return selectRows<{ day: string; status: string; n: number; fen: number }>(
    db,
    sql`SELECT ${dayText} AS day, status, count(*)::int AS n, sum(amount_fen)::float8 AS fen
        FROM (SELECT ${day(sql`created_at`)} AS d, status, amount_fen FROM refunds
              WHERE status <> 'failed' AND created_at >= ${from} AND created_at < ${to}) r
        GROUP BY d, status ORDER BY d, status`,
  );
}

/** The units' certificates: the signing certificate (a dual pair counts once). */
const signing = sql`c.profile = 'unitSigning'`;
/** Not succeeded: no certificate names `c` as its predecessor (at most one may: certificates_predecessor_idx). */
const noSuccessor = sql`NOT EXISTS (SELECT 1 FROM certificates n WHERE n.predecessor_serial_hex = c.serial_hex)`;

/**
 * The units' certificates at `now`: in force, in force and ending within 30 / 90 days without a
 * successor, revoked by then. "In force" counts an index range of some 90,000 entries a year's
 * business leaves — the one figure of the 运营看板 that reads every certificate, which is why the
 * service keeps this snapshot for a while. Those ending soon are a quarter of that range, each
 * looked up among the successors (index only: certificates_profile_status_end_idx holds the serial).
 */
export async function certificateSnapshot(db: Db, now: Date) {
  const in30 = new Date(now.getTime() + 30 * 86_400_000);
  const in90 = new Date(now.getTime() + 90 * 86_400_000);
  const inForce = sql`${signing} AND c.status = 'valid' AND c.not_after > ${now} AND c.not_before <= ${now}`;
  const [row] = await selectRows<{ valid: number; expiring30: number; expiring90: number; revoked: number }>(
    db,
    sql`WITH ending AS (
          SELECT count(*) FILTER (WHERE c.not_after <= ${in30})::int AS expiring30, count(*)::int AS expiring90
          FROM certificates c WHERE ${inForce} AND c.not_after <= ${in90} AND ${noSuccessor})
        SELECT (SELECT count(*)::int FROM certificates c WHERE ${inForce}) AS valid, e.expiring30, e.expiring90,
          (SELECT count(*)::int FROM certificates c WHERE c.revoked_at <= ${now} AND ${signing} AND c.status = 'revoked') AS revoked
        FROM ending e`,
  );
  return row!;
}

/**
 * The units' certificates of [from, to): issued, revoked, and due to end (valid until then), with
 * how many of the latter have been renewed (a successor issued) — each an index range of the
 * period, the due ones matched against the successors by serial.
 */
export async function certificatesInPeriod(db: Db, from: Date, to: Date) {
  const [row] = await selectRows<{ issued: number; revokedInPeriod: number; due: number; renewed: number }>(
    db,
    sql`SELECT (SELECT count(*)::int FROM certificates c WHERE ${signing} AND c.created_at >= ${from} AND c.created_at < ${to}) AS issued,
          (SELECT count(*)::int FROM certificates c WHERE c.revoked_at >= ${from} AND c.revoked_at < ${to} AND ${signing}) AS "revokedInPeriod",
          r.due, r.renewed
        FROM (SELECT count(*)::int AS due, count(n.predecessor_serial_hex)::int AS renewed
              FROM certificates c LEFT JOIN certificates n ON n.predecessor_serial_hex = c.serial_hex
              WHERE ${signing} AND c.status = 'valid' AND c.not_after >= ${from} AND c.not_after < ${to}) r`,
  );
  const { due, renewed, ...figures } = row!;
  return { ...figures, renewal: { due, renewed } };
}

// ───────────────────────────── exports: the rows behind the figures ─────────────────────────────

/** The applications the daily chart counts (submitted in [from, to)), oldest first. */
export function applicationRows(db: Db, from: Date, to: Date) {
  return selectRows<{
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
  return selectRows<{
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
  return selectRows<{
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
        WHERE c.profile = 'unitSigning' AND c.created_at >= ${from} AND c.created_at < ${to}
        ORDER BY c.created_at, c.id`,
  );
}
