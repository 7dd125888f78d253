/**
 * 挂失: the holder reports a lost or broken USB key from 证书与印章. An SMS code to the phone the
 * holder logs in with confirms it (the auth module's one-time codes, purpose loss_report); then the
 * certificate and its SM2 pair are revoked keyCompromise at once — the CRL re-signed and the OCSP
 * answers revoked within the same request, because a lost key cannot wait for office hours. The
 * report is kept as a revocation request already decided (kind loss_report), which the 制证员's
 * 吊销申请 list shows; 补办 follows as an application of its own.
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/database.ts';
import { revocationRequests } from '../../db/schema.ts';
import { aftersalesRefusalMessage, lossReportRefusal } from '../../domain/aftersales.ts';
import { AppError } from '../../domain/errors.ts';
import { maskPhone } from '../../domain/phone.ts';
import type { Principal } from '../../domain/principal.ts';
import { appendAudit } from '../audit/chain.ts';
import * as applicationsRepo from '../applications/repository.ts';
import type { RevocationRequestRow } from './revocation-requests.ts';
import * as repo from './repository.ts';
import type { CaService } from './service.ts';

type Holder = Extract<Principal, { kind: 'applicant' }>;

/** The one-time SMS codes a 挂失 is confirmed with (auth's). */
export interface LossReportCodes {
  request(phone: string, ctx: { ip: string; userAgent: string }): Promise<{ cooldownSeconds: number }>;
  confirm(phone: string, code: string): Promise<void>;
}

export interface LossReportDeps {
  db: Db;
  ca: CaService;
  codes: LossReportCodes;
  clock: () => Date;
  log: Logger;
}

const notFound = () => new AppError('CERTIFICATE_NOT_FOUND', '证书不存在', 404);

export function createLossReports(deps: LossReportDeps) {
  const { db, ca, clock, log } = deps;

  /** The holder's certificate of this application, refused unless it may be reported lost now. */
  async function reportable(holder: Holder, applicationId: string, serialInput: string): Promise<repo.CertificateRow> {
    const app = await applicationsRepo.findOwned(db, holder.id, applicationId);
    const cert = app ? await ca.certificate(serialInput) : undefined;
    if (!app || !cert || cert.applicationId !== app.id) throw notFound();
    const refusal = lossReportRefusal({ ...cert, succeeded: false, inProgress: false }, clock());
    if (refusal) throw new AppError(`LOSS_REPORT_${refusal.toUpperCase()}`, aftersalesRefusalMessage('loss', refusal), 409, { reason: refusal });
    return cert;
  }

  return {
    /** 获取验证码 for a 挂失: sent to the phone the holder logs in with. */
    async requestCode(holder: Holder, applicationId: string, serial: string, ctx: { ip: string; userAgent: string }) {
      await reportable(holder, applicationId, serial);
      const sent = await deps.codes.request(holder.phone, ctx);
      return { ...sent, phoneMasked: maskPhone(holder.phone) };
    },

    /** 确认挂失: the code checked, the certificate and its pair revoked keyCompromise, the report on record. */
    async report(holder: Holder, applicationId: string, serial: string, code: string, note: string): Promise<{ request: RevocationRequestRow; revoked: repo.CertificateRow[] }> {
      const cert = await reportable(holder, applicationId, serial);
      await deps.codes.confirm(holder.phone, code);
      const { certificate, pair } = await ca.revoke(holder, cert.serialHex, 'keyCompromise');
      const revoked = [certificate, ...(pair ? [pair] : [])];
      const at = clock();
      const request = await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(revocationRequests)
          .values({
            certificateSerial: cert.serialHex,
            applicationId,
            applicantId: holder.id,
            reason: 'keyCompromise',
            note,
            kind: 'loss_report',
            status: 'approved',
            createdAt: at,
            decidedAt: at,
          })
          .returning();
        if (!row) throw new Error('loss report insert returned nothing');
        await appendAudit(tx, {
          at,
          actor: holder,
          action: 'certificate.loss_report',
          entityType: 'application',
          entityId: applicationId,
          data: { requestId: row.id, serial: cert.serialHex, revoked: revoked.map((r) => r.serialHex), summary: `证书挂失，已吊销${note ? `：${note}` : ''}` },
        });
        return row;
      });
      log.info({ applicationId, serial: cert.serialHex }, 'certificate reported lost and revoked');
      return { request, revoked };
    },
  };
}

export type LossReports = ReturnType<typeof createLossReports>;
