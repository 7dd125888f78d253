/**
 * After payment, the applicant's side: how the order left, 确认收货, and the certificates and seal
 * the CA module issues (answers: src/modules/production/schemas.ts, src/modules/ca/schemas.ts).
 */
import type {
  Artefacts,
  HeldCertificate,
  LossReportCode,
  LossReported,
  RenewalIssued,
  RevocationRequestView,
  SealApproved,
  SealView,
  ShipmentAnswer,
  ShipmentView,
  StatusChange,
  UnlockAnswer,
  UnlockCodeSent,
} from '../../../src/http/contract.ts';
import { request } from '../api';

export type { Artefacts, HeldCertificate, SealView };

export type Shipment = ShipmentView;

const base = (id: string) => `/api/applications/${encodeURIComponent(id)}`;

export const deliveryApi = {
  shipment: (id: string) => request<ShipmentAnswer>('GET', `${base(id)}/shipment`).then((r) => r.shipment),
  confirmReceipt: (id: string) => request<StatusChange>('POST', `${base(id)}/confirm-receipt`, { body: {} }),
  artefacts: (id: string) => request<Artefacts>('GET', `${base(id)}/artefacts`),
  approveSeal: (id: string) => request<SealApproved>('POST', `${base(id)}/seal/approve`, { body: {} }),
  sealPreviewUrl: (id: string) => `${base(id)}/seal/preview.png`,
  certificateUrl: (id: string, serialHex: string) => `${base(id)}/certificates/${encodeURIComponent(serialHex)}.cer`,
  sealFileUrl: (id: string) => `${base(id)}/seal.esl`,
  /** 续期 after payment: the USB key's PKCS#10 request (or a 软证书), issued at once with the new seal. */
  issueRenewal: (id: string, body: { mode: 'csr'; csrPem: string } | { mode: 'software'; family: 'sm2' | 'p256' }) =>
    request<RenewalIssued>('POST', `${base(id)}/renewal/certificates`, { body }),
  /** 解锁: the key's serial and challenge → an SMS code to the 经办人; then the code → the unlock code. */
  requestUnlockCode: (id: string, serialHex: string, body: { keySerial: string; challenge: string }) =>
    request<UnlockCodeSent>('POST', `${base(id)}/certificates/${encodeURIComponent(serialHex)}/unlock-requests`, { body }),
  unlockAnswer: (requestId: string, code: string) =>
    request<UnlockAnswer>('POST', `/api/unlock-requests/${encodeURIComponent(requestId)}/answer`, { body: { code } }),
  /** 挂失: the SMS code to the login phone, then the report that revokes at once. */
  lossReportCode: (id: string, serialHex: string) =>
    request<LossReportCode>('POST', `${base(id)}/certificates/${encodeURIComponent(serialHex)}/loss-report/code`, { body: {} }),
  reportLoss: (id: string, serialHex: string, body: { code: string; note: string }) =>
    request<LossReported>('POST', `${base(id)}/certificates/${encodeURIComponent(serialHex)}/loss-report`, { body }),
  requestRevocation: (id: string, serialHex: string, body: { reason: string; note: string }) =>
    request<RevocationRequestView>('POST', `${base(id)}/certificates/${encodeURIComponent(serialHex)}/revocation-requests`, { body }),
};
