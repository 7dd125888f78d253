/** applications' table. Only this file queries it; status is written only by writeTransition. */
import { and, asc, desc, eq, ilike, inArray, lte, ne, notInArray, or, sql } from 'drizzle-orm';
import { selectRows, type Db, type Tx } from '../../db/database.ts';
import { isUuid } from '../../db/uuid.ts';
import { applicationNumberSeq, applications, projects, settings } from '../../db/schema.ts';
import type { ApplicationStatus, Transition } from '../../domain/application.ts';
import { milestoneEvents, milestonesOf } from '../../domain/milestones.ts';

type Conn = Db | Tx;
export type ApplicationRow = typeof applications.$inferSelect;
export type NewApplication = Omit<typeof applications.$inferInsert, 'id' | 'number' | 'status'>;

/** 申请单号: CD + Beijing date + a sequence, e.g. CD20261125000042. */
export async function nextNumber(tx: Conn, now: Date): Promise<string> {
  const rows = await selectRows<{ n: string }>(tx, sql`SELECT nextval(${applicationNumberSeq.seqName}) AS n`);
  const n = rows[0]?.n ?? '0';
  const beijing = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
  return `CD${beijing}${String(n).padStart(6, '0')}`;
}

export async function insertDraft(tx: Tx, row: NewApplication & { number: string }): Promise<ApplicationRow> {
  const [inserted] = await tx.insert(applications).values({ ...row, status: 'draft' }).returning();
  if (!inserted) throw new Error('application insert returned nothing');
  return inserted;
}

/** An application of this applicant, or undefined: another applicant's id looks like a missing one. */
export async function findOwned(tx: Conn, applicantId: string, id: string): Promise<ApplicationRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await tx
    .select()
    .from(applications)
    .where(and(eq(applications.id, id), eq(applications.applicantId, applicantId)));
  return row;
}

/** Row-locks the application for the rest of the transaction. */
export async function lockOwned(tx: Tx, applicantId: string, id: string): Promise<ApplicationRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await tx
    .select()
    .from(applications)
    .where(and(eq(applications.id, id), eq(applications.applicantId, applicantId)))
    .for('update');
  return row;
}

export async function listForApplicant(tx: Conn, applicantId: string) {
  return tx
    .select({
      id: applications.id,
      number: applications.number,
      orgName: applications.orgName,
      projectName: projects.name,
      priceFen: applications.priceFen,
      status: applications.status,
      kind: applications.kind,
      concernsSerial: applications.concernsSerial,
      step: applications.step,
      createdAt: applications.createdAt,
      submittedAt: applications.submittedAt,
    })
    .from(applications)
    .leftJoin(projects, eq(projects.id, applications.projectId))
    .where(eq(applications.applicantId, applicantId))
    .orderBy(desc(applications.createdAt));
}

/** Draft data only: never the status (see writeTransition). */
export async function updateDraft(
  tx: Tx,
  id: string,
  changes: Partial<Omit<ApplicationRow, 'id' | 'number' | 'status' | 'applicantId' | 'createdAt'>>,
): Promise<ApplicationRow> {
  const [row] = await tx.update(applications).set(changes).where(eq(applications.id, id)).returning();
  if (!row) throw new Error('application update returned nothing');
  return row;
}

/** The only statement that writes a status: the outcome of the domain's transition(). */
export async function writeTransition(tx: Tx, id: string, t: Transition): Promise<ApplicationRow> {
  const [row] = await tx
    .update(applications)
    .set({
      status: t.to,
      updatedAt: t.at,
      ...(t.event === 'submit' ? { submittedAt: t.at } : {}),
      ...Object.fromEntries(milestonesOf(t.event).map((m) => [m, t.at])),
    })
    .where(and(eq(applications.id, id), eq(applications.status, t.from)))
    .returning();
  if (!row) throw new Error(`status of ${id} changed underneath ${t.event}`);
  return row;
}

/** Staff access: any application by id (the caller has checked the role). */
export async function lockById(tx: Tx, id: string): Promise<ApplicationRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await tx.select().from(applications).where(eq(applications.id, id)).for('update');
  return row;
}

/**
 * Staff access: several applications row-locked at once (the CA's group commit), in id order, so
 * that two such transactions — on any instances — take their locks in the same order.
 */
export async function lockByIds(tx: Tx, ids: readonly string[]): Promise<ApplicationRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return tx.select().from(applications).where(inArray(applications.id, valid)).orderBy(asc(applications.id)).for('update');
}

export async function findById(tx: Conn, id: string): Promise<ApplicationRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await tx.select().from(applications).where(eq(applications.id, id));
  return row;
}

/** By 申请单号 (a relying platform's look-up). */
export async function findByNumber(tx: Conn, number: string): Promise<ApplicationRow | undefined> {
  const [row] = await tx.select().from(applications).where(eq(applications.number, number.trim().toUpperCase()));
  return row;
}

export interface QueueFilter {
  statuses: readonly ApplicationStatus[];
  projectId?: string;
  applicantType?: 'enterprise' | 'institution';
  /** Only those submitted at or before this instant (age filter). */
  submittedBefore?: Date;
  /** 申请单号 (exact) or part of 单位名称. */
  search?: string;
  limit: number;
}

/** 申请单号 (exact) or part of 单位名称, LIKE wildcards taken literally. */
function searchMatch(search: string) {
  const term = search.replace(/[\\%_]/g, (c) => `\\${c}`);
  return or(eq(applications.number, search.toUpperCase()), ilike(applications.orgName, `%${term}%`));
}

/** The review queue: oldest submission first. */
export async function queue(tx: Conn, f: QueueFilter) {
  const conditions = [inArray(applications.status, f.statuses)];
  if (f.projectId) conditions.push(eq(applications.projectId, f.projectId));
  if (f.applicantType) conditions.push(eq(applications.applicantType, f.applicantType));
  if (f.submittedBefore) conditions.push(lte(applications.submittedAt, f.submittedBefore));
  const match = f.search ? searchMatch(f.search) : undefined;
  if (match) conditions.push(match);
  return tx
    .select({
      id: applications.id,
      number: applications.number,
      orgName: applications.orgName,
      uscc: applications.uscc,
      applicantType: applications.applicantType,
      projectName: projects.name,
      status: applications.status,
      manualReview: applications.manualReview,
      registryOutcome: applications.registryOutcome,
      kind: applications.kind,
      submittedAt: applications.submittedAt,
      // 初审通过 shows as 待复核 in the queue.
      latestDecision: sql<string | null>`(SELECT d.decision FROM review_decisions d WHERE d.application_id = ${applications.id} ORDER BY d.created_at DESC, d.id DESC LIMIT 1)`,
    })
    .from(applications)
    .leftJoin(projects, eq(projects.id, applications.projectId))
    .where(and(...conditions))
    .orderBy(asc(applications.submittedAt))
    .limit(f.limit);
}

/** Other applications of the same organisation still in progress (the newest 20): a reviewer must see them. */
export async function openWithUscc(tx: Conn, uscc: string, excludeId: string) {
  return tx
    .select({ id: applications.id, number: applications.number, status: applications.status })
    .from(applications)
    .where(
      and(
        eq(applications.uscc, uscc),
        ne(applications.id, excludeId),
        notInArray(applications.status, ['draft', 'cancelled', 'completed', 'refunded']),
      ),
    )
    .orderBy(desc(applications.createdAt))
    .limit(20);
}

/**
 * The 制证员's queue: the oldest status change first (for 已支付, the payment — updatedAt is the
 * time of the last transition), with what production needs to see at a glance.
 */
export async function productionQueue(tx: Conn, f: { statuses: readonly ApplicationStatus[]; search?: string; limit: number }) {
  const conditions = [inArray(applications.status, f.statuses)];
  const match = f.search ? searchMatch(f.search) : undefined;
  if (match) conditions.push(match);
  return tx
    .select({
      id: applications.id,
      number: applications.number,
      orgName: applications.orgName,
      uscc: applications.uscc,
      projectName: projects.name,
      status: applications.status,
      delivery: applications.delivery,
      submittedAt: applications.submittedAt,
      updatedAt: applications.updatedAt,
    })
    .from(applications)
    .leftJoin(projects, eq(projects.id, applications.projectId))
    .where(and(...conditions))
    .orderBy(asc(applications.updatedAt))
    .limit(f.limit);
}

/** 已邮寄 / 待自取 applications whose last status change is older than `before` (auto-complete). */
export async function deliveredBefore(tx: Conn, before: Date, limit: number): Promise<ApplicationRow[]> {
  return tx
    .select()
    .from(applications)
    .where(and(inArray(applications.status, ['shipped', 'awaiting_pickup']), lte(applications.updatedAt, before)))
    .orderBy(asc(applications.updatedAt))
    .limit(limit);
}

/** 续期 / 变更 / 补办 under way (neither cancelled nor refunded) of these certificates: the application by serial. */
export async function renewalsUnderWay(
  tx: Conn,
  serials: string[],
): Promise<Map<string, { id: string; number: string; status: ApplicationStatus; kind: ApplicationRow['kind'] }>> {
  if (serials.length === 0) return new Map();
  const rows = await tx
    .select({ serial: applications.concernsSerial, id: applications.id, number: applications.number, status: applications.status, kind: applications.kind })
    .from(applications)
    .where(and(inArray(applications.concernsSerial, serials), notInArray(applications.status, ['cancelled', 'refunded'])));
  return new Map(rows.map((r) => [r.serial ?? '', { id: r.id, number: r.number, status: r.status, kind: r.kind }]));
}

/**
 * The milestones of applications made before they were kept (migration 0015), from their audit
 * records: once per database (a settings row says it ran), at start-up before anyone else writes.
 */
export async function backfillMilestones(db: Db, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const [claimed] = await tx.insert(settings).values({ key: 'milestones_backfilled', value: now.toISOString(), updatedAt: now }).onConflictDoNothing().returning();
    if (claimed) await milestonesFromAudit(tx);
  });
}

/** Every submitted application's milestones as its audit records tell them (the benchmark's seed uses it too). */
export async function milestonesFromAudit(conn: Conn): Promise<void> {
  const actions = (events: readonly string[]) => sql.join(events.map((e) => sql`${`application.${e}`}`), sql`, `);
  const at = (m: keyof typeof milestoneEvents, latest = false) => sql`${sql.raw(latest ? 'max' : 'min')}(at) FILTER (WHERE action IN (${actions(milestoneEvents[m])}))`;
  await conn.execute(sql`
    UPDATE applications a SET in_review_since = m.in_review_since, approved_at = m.approved_at, paid_at = m.paid_at,
      production_started_at = m.production_started_at, dispatched_at = m.dispatched_at, completed_at = m.completed_at
    FROM (SELECT entity_id, ${at('inReviewSince', true)} AS in_review_since, ${at('approvedAt')} AS approved_at, ${at('paidAt')} AS paid_at,
            ${at('productionStartedAt')} AS production_started_at, ${at('dispatchedAt')} AS dispatched_at, ${at('completedAt')} AS completed_at
          FROM audit_log WHERE entity_type = 'application' GROUP BY entity_id) m
    WHERE a.id::text = m.entity_id AND a.submitted_at IS NOT NULL`);
}
