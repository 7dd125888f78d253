/** What the CA's rows look like to staff and applicants (labels in Chinese, times in ISO UTC). */
import { revocationReasonLabels, type RevocationReason } from '../../pki/crl.ts';
import { profiles, type ProfileName } from '../../pki/profiles.ts';
import { familyLabels } from './authority.ts';
import type { CertificateRow, CertificateSummary, SealSummary } from './repository.ts';
import type { CertificateState, CertificateView, SealView } from './schemas.ts';

export type { CertificateState, CertificateView, SealView };
export const certificateStateLabels: Record<CertificateState, string> = { valid: '有效', revoked: '已吊销', expired: '已过期' };

export function certificateState(row: Pick<CertificateRow, 'status' | 'notAfter'>, now: Date): CertificateState {
  if (row.status === 'revoked') return 'revoked';
  return row.notAfter.getTime() < now.getTime() ? 'expired' : 'valid';
}

export function subjectText(row: Pick<CertificateRow, 'subjectOrg' | 'subjectCn' | 'subjectUscc'>): string {
  return [
    'C=CN',
    ...(row.subjectOrg ? [`O=${row.subjectOrg}`] : []),
    `CN=${row.subjectCn}`,
    ...(row.subjectUscc ? [`serialNumber=${row.subjectUscc}`] : []),
  ].join(', ');
}

export function reasonLabel(reason: string | null): string | undefined {
  return reason && reason in revocationReasonLabels ? revocationReasonLabels[reason as RevocationReason] : undefined;
}

/** 单位签名证书, 单位加密证书…: what a stored profile name reads as (the name itself if unknown). */
export function profileLabel(profile: string): string {
  return (profiles[profile as ProfileName] as (typeof profiles)[ProfileName] | undefined)?.label ?? profile;
}

export function certificateView(row: CertificateSummary, now: Date): CertificateView {
  const status = certificateState(row, now);
  const reason = reasonLabel(row.revocationReason);
  return {
    serialHex: row.serialHex,
    family: row.family,
    familyLabel: familyLabels[row.family],
    profile: row.profile,
    profileLabel: profileLabel(row.profile),
    subject: subjectText(row),
    notBefore: row.notBefore.toISOString(),
    notAfter: row.notAfter.toISOString(),
    status,
    statusLabel: certificateStateLabels[status],
    usbKeySerial: row.usbKeySerial,
    pairSerialHex: row.pairSerialHex,
    ...(row.revokedAt ? { revokedAt: row.revokedAt.toISOString() } : {}),
    ...(reason ? { revocationReasonLabel: reason } : {}),
  };
}

export function sealView(row: SealSummary, pictureUrl: string): SealView {
  return {
    esID: row.esId,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    validEnd: row.validEnd.toISOString(),
    pictureUrl,
  };
}
