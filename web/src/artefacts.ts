/**
 * What the CA module says about an application's certificates and seal, as both the console and
 * the portal read it (the CA module's routes are the contract).
 */
export interface CertificateView {
  serialHex: string;
  family: string;
  familyLabel: string;
  profile: string;
  profileLabel: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  status: string;
  statusLabel: string;
  usbKeySerial: string | null;
  revokedAt?: string;
  revocationReasonLabel?: string;
  /** The latest 申请吊销 of this certificate (the applicant's view only). */
  revocationRequest?: RevocationRequestView | null;
  /** The other certificate of an SM2 dual pair (签名 + 加密), revoked together with this one. */
  pairSerialHex?: string | null;
  /** The applicant's view: days to 有效期至, 即将到期 / 已过期, the lineage and 续期. */
  daysLeft?: number;
  expiry?: { state: 'expiring' | 'expired'; label: string } | null;
  predecessorSerialHex?: string | null;
  successorSerialHex?: string | null;
  renewal?: { offered: boolean; newApplication: boolean; renewingApplicationId: string | null; message: string | null };
}

export interface RevocationRequestView {
  id: string;
  certificateSerial: string;
  reason: string;
  reasonLabel: string;
  note: string;
  status: 'pending' | 'approved' | 'rejected';
  statusLabel: string;
  createdAt: string;
  decidedAt: string | null;
  decisionNote: string | null;
}

export interface SealView {
  esID: string;
  name: string;
  createdAt: string;
  validEnd: string;
  pictureUrl: string;
}

export interface Artefacts {
  certificates: CertificateView[];
  seal: SealView | null;
  /** The seal picture to approve (确认印章), shown from 资料审核通过 on; `awaited`: production waits for it. */
  sealPicture: { url: string; approvable: boolean; awaited: boolean } | null;
  sealApproval: { approvedAt: string } | null;
}
