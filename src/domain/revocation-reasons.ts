/**
 * The reasons a certificate holder may give for 申请吊销, in RFC 5280 CRLReason names with the words
 * the holder reads. Import-free, so the portal's form offers exactly what the server accepts.
 */
/** Reasons a holder can know of; CA-side reasons (cACompromise, certificateHold …) are staff's. */
export const applicantRevocationReasons = ['keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation'] as const;
export type ApplicantRevocationReason = (typeof applicantRevocationReasons)[number];

export const applicantRevocationReasonLabels: Record<ApplicantRevocationReason, string> = {
  keyCompromise: '密钥泄露或 USB Key 丢失',
  affiliationChanged: '单位信息变更',
  superseded: '证书已被替换',
  cessationOfOperation: '单位注销或停止使用',
};
