/**
 * After payment, the applicant's side: how the order left (src/modules/production/routes.ts),
 * 确认收货, and the certificates and seal the CA module issues (its contract; until that module
 * is merged its endpoints answer 404, which the pages treat as "not yet available").
 */
import { request } from '../api';
import type { Artefacts, RevocationRequestView } from '../artefacts';

export type { Artefacts, CertificateView, SealView } from '../artefacts';

export interface Shipment {
  method: 'post' | 'pickup';
  methodLabel: string;
  courier: string | null;
  courierLabel: string | null;
  trackingNumber: string | null;
  pickupAddress: string | null;
  shippedAt: string;
  completedAt: string | null;
  completedHowLabel: string | null;
}

const base = (id: string) => `/api/applications/${encodeURIComponent(id)}`;

export const deliveryApi = {
  shipment: (id: string) => request<{ shipment: Shipment | null }>('GET', `${base(id)}/shipment`).then((r) => r.shipment),
  confirmReceipt: (id: string) => request<{ status: string; statusLabel: string }>('POST', `${base(id)}/confirm-receipt`, { body: {} }),
  artefacts: (id: string) => request<Artefacts>('GET', `${base(id)}/artefacts`),
  approveSeal: (id: string) => request<unknown>('POST', `${base(id)}/seal/approve`, { body: {} }),
  sealPreviewUrl: (id: string) => `${base(id)}/seal/preview.png`,
  certificateUrl: (id: string, serialHex: string) => `${base(id)}/certificates/${encodeURIComponent(serialHex)}.cer`,
  sealFileUrl: (id: string) => `${base(id)}/seal.esl`,
  /** 续期 after payment: the USB key's PKCS#10 request (or a 软证书), issued at once with the new seal. */
  issueRenewal: (id: string, body: { mode: 'csr'; csrPem: string } | { mode: 'software'; family: 'sm2' | 'p256' }) =>
    request<{
      certificates: { serialHex: string; notBefore: string; notAfter: string }[];
      p12?: { base64: string; password: string; fileName: string };
      envelope?: { base64: string; fileName: string };
      message: string;
    }>('POST', `${base(id)}/renewal/certificates`, { body }),
  requestRevocation: (id: string, serialHex: string, body: { reason: string; note: string }) =>
    request<RevocationRequestView>('POST', `${base(id)}/certificates/${encodeURIComponent(serialHex)}/revocation-requests`, { body }),
};
