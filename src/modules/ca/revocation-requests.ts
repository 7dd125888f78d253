/**
 * 申请吊销: a holder asks for one of their application's certificates to be revoked; a 制证员 or
 * 管理员 approves (the CA's own revoke runs: CRL re-signed, OCSP answers revoked) or refuses with a
 * reason the holder reads. Status changes only through the domain's decideRevocationRequest; each
 * step is audited on the application, and the holder gets an SMS with the outcome.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db, Tx } from '../../db/database.ts';
import { applications, certificates, revocationRequests } from '../../db/schema.ts';
import { AppError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/principal.ts';
import {
  applicantRevocationReasonLabels,
  decideRevocationRequest,
  revocationRequestErrors,
  revocationRequestStatusLabels,
  type ApplicantRevocationReason,
  type RevocationRequestStatus,
} from '../../domain/revocation-request.ts';
import { appendAudit } from '../audit/chain.ts';
import type { ApplicantNotices } from '../notifications/notices.ts';
import { familyLabels } from './authority.ts';
import { lockCertificate } from './repository.ts';
import { normaliseSerial, type CaService } from './service.ts';
import type { RevocationRequestView, StaffRevocationRequestView } from './schemas.ts';
import { certificateState, certificateStateLabels, profileLabel } from './views.ts';

type Applicant = Extract<Principal, { kind: 'applicant' }>;
type Staff = Extract<Principal, { kind: 'staff' }>;
export type RevocationRequestRow = typeof revocationRequests.$inferSelect;

export type { RevocationRequestView, StaffRevocationRequestView };

export function revocationRequestView(r: RevocationRequestRow): RevocationRequestView {
  return {
    id: r.id,
    kind: r.kind,
    kindLabel: r.kind === 'loss_report' ? '挂失' : '申请吊销',
    certificateSerial: r.certificateSerial,
    reason: r.reason,
    reasonLabel: applicantRevocationReasonLabels[r.reason as ApplicantRevocationReason] ?? r.reason,
    note: r.note,
    status: r.status,
    statusLabel: revocationRequestStatusLabels[r.status],
    createdAt: r.createdAt.toISOString(),
    decidedAt: r.decidedAt?.toISOString() ?? null,
    decisionNote: r.decisionNote,
  };
}

const notFound = () => new AppError('REVOCATION_REQUEST_NOT_FOUND', '吊销申请不存在', 404);
const certificateNotFound = () => new AppError('NOT_FOUND', '证书不存在', 404);

export interface RevocationRequestDeps {
  db: Db;
  ca: CaService;
  clock: () => Date;
  log: Logger;
  notices: ApplicantNotices;
}

export function createRevocationRequestService(deps: RevocationRequestDeps) {
  const { db, ca, clock, log } = deps;

  async function numberOf(conn: Tx, applicationId: string): Promise<string> {
    const [row] = await conn.select({ number: applications.number }).from(applications).where(eq(applications.id, applicationId));
    return row?.number ?? '';
  }

  async function find(id: string): Promise<RevocationRequestRow> {
    const [row] = await db.select().from(revocationRequests).where(eq(revocationRequests.id, id));
    if (!row) throw notFound();
    return row;
  }

  /** Records the decision if the request is still pending; the domain says what a decided one means. */
  async function record(staff: Staff, request: RevocationRequestRow, status: 'approved' | 'rejected', note: string | null) {
    const at = clock();
    return db.transaction(async (tx) => {
      const [row] = await tx
        .update(revocationRequests)
        .set({ status, decidedBy: staff.id, decidedAt: at, decisionNote: note })
        .where(and(eq(revocationRequests.id, request.id), eq(revocationRequests.status, 'pending')))
        .returning();
      if (!row) {
        const [now] = await tx.select({ status: revocationRequests.status }).from(revocationRequests).where(eq(revocationRequests.id, request.id));
        throw revocationRequestErrors.decided(now?.status ?? status);
      }
      await appendAudit(tx, {
        at,
        actor: staff,
        action: status === 'approved' ? 'revocation_request.approve' : 'revocation_request.reject',
        entityType: 'application',
        entityId: request.applicationId,
        data: { requestId: request.id, serial: request.certificateSerial, ...(note ? { note, summary: note } : {}) },
      });
      const number = await numberOf(tx, row.applicationId);
      if (status === 'approved') await deps.notices.send(tx, row.applicantId, 'revocation_approved', { number, serial: row.certificateSerial });
      else await deps.notices.send(tx, row.applicantId, 'revocation_rejected', { number, reason: note ?? '' });
      return row;
    });
  }

  return {
    /** The holder's 申请吊销 of a still-valid certificate of their own application. */
    async create(applicant: Applicant, applicationId: string, serialInput: string, reason: ApplicantRevocationReason, note: string) {
      const serial = normaliseSerial(serialInput);
      const at = clock();
      const row = await db.transaction(async (tx) => {
        // Locking the certificate serialises two requests for it (the unique index backs this up).
        const cert = await lockCertificate(tx, serial);
        if (!cert || cert.applicationId !== applicationId) throw certificateNotFound();
        const [app] = await tx.select({ applicantId: applications.applicantId }).from(applications).where(eq(applications.id, applicationId));
        if (app?.applicantId !== applicant.id) throw certificateNotFound();
        const state = certificateState(cert, at);
        if (state !== 'valid') throw revocationRequestErrors.notRevocable(certificateStateLabels[state]);
        const [pending] = await tx
          .select({ id: revocationRequests.id })
          .from(revocationRequests)
          .where(and(eq(revocationRequests.certificateSerial, serial), eq(revocationRequests.status, 'pending')));
        if (pending) throw revocationRequestErrors.pendingExists();
        const [inserted] = await tx
          .insert(revocationRequests)
          .values({ certificateSerial: serial, applicationId, applicantId: applicant.id, reason, note, status: 'pending', createdAt: at })
          .returning();
        if (!inserted) throw new Error('revocation request insert returned nothing');
        await appendAudit(tx, {
          at,
          actor: applicant,
          action: 'revocation_request.create',
          entityType: 'application',
          entityId: applicationId,
          data: {
            requestId: inserted.id,
            serial,
            reason,
            ...(note ? { note } : {}),
            summary: `${applicantRevocationReasonLabels[reason]}${note ? `：${note}` : ''}`,
          },
        });
        return inserted;
      });
      log.info({ applicationId, requestId: row.id }, 'revocation requested');
      return row;
    },

    /** The holder's requests on one application, newest first (the portal shows the latest per certificate). */
    async ofApplication(applicationId: string): Promise<RevocationRequestRow[]> {
      return db
        .select()
        .from(revocationRequests)
        .where(eq(revocationRequests.applicationId, applicationId))
        .orderBy(desc(revocationRequests.createdAt));
    },

    /** Staff's list: pending first (oldest first, as they wait), then the latest decided. */
    async list(status: RevocationRequestStatus, limit = 100): Promise<StaffRevocationRequestView[]> {
      const rows = await db
        .select({ request: revocationRequests, number: applications.number, orgName: applications.orgName, profile: certificates.profile, family: certificates.family })
        .from(revocationRequests)
        .innerJoin(applications, eq(applications.id, revocationRequests.applicationId))
        .innerJoin(certificates, eq(certificates.serialHex, revocationRequests.certificateSerial))
        .where(inArray(revocationRequests.status, [status]))
        .orderBy(status === 'pending' ? revocationRequests.createdAt : desc(revocationRequests.decidedAt))
        .limit(limit);
      return rows.map((r) => ({
        ...revocationRequestView(r.request),
        applicationId: r.request.applicationId,
        applicationNumber: r.number,
        orgName: r.orgName,
        profileLabel: profileLabel(r.profile),
        familyLabel: familyLabels[r.family],
      }));
    },

    /** 同意吊销: the CA revokes with the holder's reason; a certificate revoked meanwhile still closes the request. */
    async approve(staff: Staff, id: string) {
      const request = await find(id);
      decideRevocationRequest(request.status, 'approve');
      try {
        await ca.revoke(staff, request.certificateSerial, request.reason as ApplicantRevocationReason);
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'ALREADY_REVOKED')) throw error;
      }
      return record(staff, request, 'approved', null);
    },

    /** 不予吊销: the certificate stays valid; the holder reads why. */
    async reject(staff: Staff, id: string, note: string) {
      const reason = note.trim();
      if (!reason) throw revocationRequestErrors.reasonRequired();
      const request = await find(id);
      decideRevocationRequest(request.status, 'reject');
      return record(staff, request, 'rejected', reason);
    },
  };
}

export type RevocationRequestService = ReturnType<typeof createRevocationRequestService>;
