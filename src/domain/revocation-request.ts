/**
 * The applicant's 申请吊销: a certificate holder asks, staff (制证员 or 管理员) decide. Pure rules:
 * which reasons a holder may give, and the one door for the request's status. Approving revokes the
 * certificate through the CA's own revoke (CRL, OCSP); rejecting keeps it valid and says why.
 */
import { AppError } from './errors.ts';

export { applicantRevocationReasonLabels, applicantRevocationReasons, type ApplicantRevocationReason } from './revocation-reasons.ts';

export type RevocationRequestStatus = 'pending' | 'approved' | 'rejected';
export const revocationRequestStatusLabels: Record<RevocationRequestStatus, string> = {
  pending: '吊销申请待审核',
  approved: '吊销申请已通过',
  rejected: '吊销申请未通过',
};

export type RevocationRequestEvent = 'approve' | 'reject';

export const revocationRequestErrors = {
  decided: (status: RevocationRequestStatus) =>
    new AppError('REVOCATION_REQUEST_DECIDED', `该吊销申请已处理（${revocationRequestStatusLabels[status]}），不能重复处理`, 409),
  pendingExists: () => new AppError('REVOCATION_REQUEST_PENDING', '该证书已有待审核的吊销申请，请等待处理结果', 409),
  notRevocable: (state: string) => new AppError('CERTIFICATE_NOT_REVOCABLE', `证书当前状态为“${state}”，无需申请吊销`, 409),
  reasonRequired: () => new AppError('REJECT_REASON_REQUIRED', '请填写不予吊销的原因，申请人会看到', 400),
};

/** The one door: pending → approved | rejected; a decided request never changes again. */
export function decideRevocationRequest(status: RevocationRequestStatus, event: RevocationRequestEvent): RevocationRequestStatus {
  if (status !== 'pending') throw revocationRequestErrors.decided(status);
  return event === 'approve' ? 'approved' : 'rejected';
}
