/**
 * The CA module's answers (issuance, seals, revocation and its requests, the applicant's
 * certificates and seal, the public verifier), as zod schemas: see src/http/contract.ts.
 */
import { z } from 'zod';
import { revocationRequestStatusLabels, type RevocationRequestStatus } from '../../domain/revocation-request.ts';

export const certificateStates = ['valid', 'revoked', 'expired'] as const;
export type CertificateState = (typeof certificateStates)[number];

export const certificateView = z.object({
  serialHex: z.string(),
  family: z.enum(['sm2', 'p256']),
  familyLabel: z.string(),
  profile: z.string(),
  profileLabel: z.string(),
  subject: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  status: z.enum(certificateStates),
  statusLabel: z.string(),
  usbKeySerial: z.string().nullable(),
  /** The other certificate of an SM2 dual pair (签名 + 加密), revoked together with this one. */
  pairSerialHex: z.string().nullable(),
  revokedAt: z.string().optional(),
  revocationReasonLabel: z.string().optional(),
});
export type CertificateView = z.infer<typeof certificateView>;

export const sealView = z.object({ esID: z.string(), name: z.string(), createdAt: z.string(), validEnd: z.string(), pictureUrl: z.string() });
export type SealView = z.infer<typeof sealView>;

const requestStatus = z.enum(Object.keys(revocationRequestStatusLabels) as [RevocationRequestStatus, ...RevocationRequestStatus[]]);

/** 申请吊销: the holder's request and how it was decided. */
export const revocationRequestView = z.object({
  id: z.string(),
  /** 申请吊销 (staff decide), or 挂失 (revoked at once, on record as approved). */
  kind: z.enum(['request', 'loss_report']),
  kindLabel: z.string(),
  certificateSerial: z.string(),
  reason: z.string(),
  reasonLabel: z.string(),
  note: z.string(),
  status: requestStatus,
  statusLabel: z.string(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
});
export type RevocationRequestView = z.infer<typeof revocationRequestView>;

/** The same, as the 制证员 or 管理员 deciding it sees it. */
export const staffRevocationRequestView = revocationRequestView.extend({
  applicationId: z.string(),
  applicationNumber: z.string(),
  orgName: z.string().nullable(),
  profileLabel: z.string(),
  familyLabel: z.string(),
});
export type StaffRevocationRequestView = z.infer<typeof staffRevocationRequestView>;
export const staffRevocationRequests = z.object({ items: z.array(staffRevocationRequestView) });

const offer = z.object({ offered: z.boolean(), message: z.string().nullable() });

/** An application's certificates (each with its latest 申请吊销) and its seal. */
/** The holder's view of a certificate's life: days to its end, 即将到期 / 已过期, the lineage and 续期. */
const certificateLife = {
  daysLeft: z.number(),
  expiry: z.object({ state: z.enum(['expiring', 'expired']), label: z.string() }).nullable(),
  predecessorSerialHex: z.string().nullable(),
  successorSerialHex: z.string().nullable(),
  renewal: z.object({
    /** 续期 on offer now. */
    offered: z.boolean(),
    /** Too late to renew: the button leads to a new application (重新申请). */
    newApplication: z.boolean(),
    renewingApplicationId: z.string().nullable(),
    renewingKindLabel: z.string().nullable(),
    message: z.string().nullable(),
  }),
  /** 已续期 / 已变更 / 已补办 when a successor exists; and why this one succeeds its predecessor. */
  successionLabel: z.string().nullable(),
  predecessorSuccessionLabel: z.string().nullable(),
  /** 变更, 挂失 and 补办 on offer now, or why not (message); the application under way, if any. */
  aftersales: z.object({
    change: offer,
    lossReport: offer,
    reissue: offer,
    applicationId: z.string().nullable(),
  }),
};

export const artefacts = z.object({
  certificates: z.array(certificateView.extend({ ...certificateLife, revocationRequest: revocationRequestView.nullable() })),
  seal: sealView.nullable(),
  /** The seal picture to approve (确认印章), shown from 资料审核通过 on; `awaited`: production waits for it. */
  sealPicture: z.object({ url: z.string(), approvable: z.boolean(), awaited: z.boolean() }).nullable(),
  sealApproval: z.object({ approvedAt: z.string() }).nullable(),
});
export type Artefacts = z.infer<typeof artefacts>;
/** A certificate as the applicant's list shows it: with its latest 申请吊销. */
export type HeldCertificate = Artefacts['certificates'][number];

export const issued = z.object({
  certificates: z.array(certificateView),
  /** A software certificate: the PKCS#12 and its password, shown once. */
  p12: z.object({ base64: z.string(), password: z.string(), fileName: z.string() }).optional(),
  /** SM2 from a USB key's CSR: the encryption key pair in a GM/T 0009 envelope, to write into the USB key. */
  envelope: z.object({ base64: z.string(), fileName: z.string() }).optional(),
});
export type IssueResult = z.infer<typeof issued>;

export const sealMade = z.object({ seal: sealView });

/** 续期 issued online: the certificates, a 软证书's PKCS#12 or the SM2 envelope, and the seal made anew. */
export const renewalIssued = issued.extend({ seal: sealView.nullable(), message: z.string() });

/** 挂失's 获取验证码: where the code went (masked) and when another may be asked for. */
export const lossReportCode = z.object({ cooldownSeconds: z.number(), phoneMasked: z.string() });
/** 挂失 done: the report on record and the certificates revoked with it (an SM2 pair: both). */
export const lossReported = z.object({ request: revocationRequestView, revoked: z.array(certificateView), message: z.string() });

export const revoked = z.object({
  certificate: certificateView,
  /** The other certificate of a dual pair, revoked with it. */
  pair: certificateView.optional(),
});
export type RevokeResult = z.infer<typeof revoked>;

export const sealApproved = z.object({ approvedAt: z.string() });

const verdict = z.enum(['valid', 'renewed', 'revoked', 'expired', 'foreign', 'invalid', 'not_found']);
const verifyOutcome = z.object({
  kind: z.enum(['certificate', 'seal', 'pdf', 'serial']),
  kindLabel: z.string(),
  verdict,
  verdictLabel: z.string(),
  details: z.array(z.object({ label: z.string(), value: z.string() })),
  reasons: z.array(z.string()),
});
/** 有效 / 已续期 / 已吊销 / 已过期 / 非本CA签发 / 无效 / 未找到, with the details; a PDF has one per signature. */
export const verifyResult = verifyOutcome.extend({ signatures: z.array(verifyOutcome).optional() });
export type VerifyResult = z.infer<typeof verifyResult>;
