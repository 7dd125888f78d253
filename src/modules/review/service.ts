/**
 * review: the 审核员's queue, the detail of one application with what changed since the last
 * review, and the decision — 审核通过 (→ 资料审核通过) or 审核不通过 with a reason per item
 * (→ 待修改). The decision, its snapshot, the status change and the audit record commit together.
 */
import { desc, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db, Tx } from '../../db/database.ts';
import { reviewDecisions } from '../../db/schema.ts';
import { statusLabels, transition, type ApplicationStatus } from '../../domain/application.ts';
import { AppError } from '../../domain/errors.ts';
import type { ApplicantNotices } from '../notifications/notices.ts';
import type { Principal } from '../../domain/principal.ts';
import { approvalStage, changedKeys, summariseReturn, type ApprovalStage, type ReturnedItem } from '../../domain/review.ts';
import { appendAudit } from '../audit/chain.ts';
import type { CatalogueService } from '../catalogue/service.ts';
import type { Attachment, AttachmentService } from '../attachments/service.ts';
import * as apps from '../applications/repository.ts';
import { fireTransition } from '../applications/transitions.ts';

type Staff = Extract<Principal, { kind: 'staff' }>;
export type ReviewService = ReturnType<typeof createReviewService>;

export type Decision = { decision: 'approve'; note?: string } | { decision: 'return'; items: ReturnedItem[]; note?: string };

/** What a reviewer saw, keyed by review item: the next review compares against it. */
export function snapshotOf(app: apps.ApplicationRow, files: Attachment[]): Record<string, unknown> {
  const snapshot: Record<string, unknown> = {
    'field:operator': { name: app.operatorName, idNumber: app.operatorIdNumber, phone: app.operatorPhone },
    'field:organisation': { name: app.orgName, uscc: app.uscc, legalRepresentative: app.legalRepresentative },
    'field:project': app.projectId,
    'field:invoice': app.invoice,
    'field:delivery': app.delivery,
  };
  for (const f of files) snapshot[`attachment:${f.kind}`] = f.sha256;
  return snapshot;
}

export interface ReviewDeps {
  db: Db;
  clock: () => Date;
  log: Logger;
  attachments: AttachmentService;
  catalogue: CatalogueService;
  staffNames: (ids: readonly string[]) => Promise<ReadonlyMap<string, string>>;
  /** The organisation's certificates still valid (the CA module's). */
  validCertificates: (uscc: string) => Promise<{ serialHex: string; notAfter: Date; applicationId: string | null }[]>;
  /** 续期: the certificate a renewal renews (the CA module's). */
  certificate: (serialHex: string) => Promise<{ serialHex: string; notBefore: Date; notAfter: Date } | undefined>;
  notices: ApplicantNotices;
  /** 资料审核通过 written: the payments module opens the bank transfer and sends the SMS (or, fee 0, makes it 已支付) in the same transaction. */
  onApproved: (tx: Tx, app: apps.ApplicationRow) => Promise<apps.ApplicationRow>;
}

export function createReviewService(deps: ReviewDeps) {
  const { db, clock } = deps;

  async function lastDecision(conn: Db | Tx, applicationId: string) {
    const [row] = await conn
      .select()
      .from(reviewDecisions)
      .where(eq(reviewDecisions.applicationId, applicationId))
      .orderBy(desc(reviewDecisions.createdAt), desc(reviewDecisions.id))
      .limit(1);
    return row;
  }


  return {
    queue: (filter: apps.QueueFilter) => apps.queue(db, filter),

    async detail(id: string) {
      const app = await apps.findById(db, id);
      if (!app || app.status === 'draft') throw new AppError('NOT_FOUND', '申请不存在', 404);
      const files = await deps.attachments.current(app.id);
      const previous = await lastDecision(db, app.id);
      const duplicates = app.uscc ? await apps.openWithUscc(db, app.uscc, app.id) : [];
      const validCertificates = app.uscc ? await deps.validCertificates(app.uscc) : [];
      const project = app.projectId ? await deps.catalogue.project(app.projectId).catch(() => undefined) : undefined;
      const previousReviewer = previous ? (await deps.staffNames([previous.reviewerId])).get(previous.reviewerId) : undefined;
      const renewed = app.concernsSerial ? await deps.certificate(app.concernsSerial) : undefined;
      return {
        app,
        renewed,
        files,
        project,
        previous,
        previousReviewer: previousReviewer ?? null,
        changedSinceLastReview: previous ? changedKeys(previous.snapshot, snapshotOf(app, files)) : null,
        duplicates: duplicates.map((d) => ({ ...d, statusLabel: statusLabels[d.status] })),
        validCertificates: validCertificates.map((c) => ({ serialHex: c.serialHex, notAfter: c.notAfter.toISOString(), applicationId: c.applicationId })),
      };
    },

    /** The returned items of the latest 审核不通过, while the application is 待修改. */
    async returnedItems(applicationId: string): Promise<ReturnedItem[]> {
      const last = await lastDecision(db, applicationId);
      return last?.decision === 'return' ? last.items : [];
    },

    /** Returned items whose content is still what the reviewer saw at the latest 审核不通过. */
    async unchangedReturnedItems(applicationId: string): Promise<ReturnedItem[]> {
      const last = await lastDecision(db, applicationId);
      if (last?.decision !== 'return') return [];
      const app = await apps.findById(db, applicationId);
      if (!app) return [];
      const changed = new Set(changedKeys(last.snapshot, snapshotOf(app, await deps.attachments.current(applicationId))));
      return last.items.filter((i) => !changed.has(i.item));
    },

    /**
     * 审核通过 or 审核不通过. On a project that needs two reviewers the first 审核通过 is only
     * recorded (初审通过, audited, no status change, no SMS): `stage` says which it was.
     */
    async decide(reviewer: Staff, id: string, d: Decision): Promise<{ row: apps.ApplicationRow; stage: ApprovalStage | null }> {
      if (d.decision === 'return' && d.items.length === 0) {
        throw new AppError('RETURN_ITEMS', '请至少选择一项需要修改的内容并填写原因', 400);
      }
      const files = await deps.attachments.current(id);
      // Read before the transaction: PGlite has one connection, which the transaction holds.
      const before = await apps.findById(db, id);
      const project = before?.projectId ? await deps.catalogue.project(before.projectId).catch(() => undefined) : undefined;
      const decided = await db.transaction(async (tx) => {
        const app = await apps.lockById(tx, id);
        if (!app) throw new AppError('NOT_FOUND', '申请不存在', 404);
        const now = clock();
        const items = d.decision === 'return' ? d.items : [];
        let stage: ApprovalStage | null = null;
        let row: apps.ApplicationRow;
        if (d.decision === 'approve') {
          const twoReviewers = project?.id === app.projectId && (project?.requiresSecondReview ?? false);
          stage = approvalStage(twoReviewers, await lastDecision(tx, app.id), reviewer.id);
        }
        if (stage === 'first') {
          // The guard of the transition it precedes (who, from which status), without its write.
          transition({ status: app.status, applicantId: app.applicantId, kind: app.kind }, 'approve', reviewer, now);
          await appendAudit(tx, {
            at: now,
            actor: reviewer,
            action: 'review.first_approval',
            entityType: 'application',
            entityId: app.id,
            data: { number: app.number },
          });
          row = app;
        } else {
          row = await fireTransition(tx, app, d.decision === 'approve' ? 'approve' : 'return', reviewer, now, {
            items,
            ...(d.decision === 'return' ? { summary: summariseReturn(items, app.applicantType) } : {}),
          });
          if (d.decision === 'approve') {
            // The remittance code and the SMS, or 已支付 at once where the fee is 0.
            row = await deps.onApproved(tx, row);
          } else {
            await deps.notices.send(tx, app.applicantId, 'review_returned', { number: app.number });
          }
        }
        await tx.insert(reviewDecisions).values({
          applicationId: app.id,
          reviewerId: reviewer.id,
          decision: stage === 'first' ? 'first_approval' : d.decision,
          items,
          note: d.note ?? '',
          snapshot: snapshotOf(app, files),
          createdAt: now,
        });
        deps.log.info({ applicationId: app.id, decision: d.decision, stage, items: items.length }, 'review decided');
        return { row, stage };
      });
      return decided;
    },
  };
}
