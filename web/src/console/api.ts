/**
 * The staff console's door to the server: the same JSON conventions as the portal's api.ts, with
 * its own in-memory CSRF token (a staff session is separate from an applicant's) and its own 401
 * handler that leads back to /console/login.
 */
import type { ApplicationEvent } from '../../../src/domain/application.ts';
import { ApiError } from '../api';
import type { TimelineEntry } from '../components/TimelineCard';
export type { TimelineEntry };
import type { Artefacts, CertificateView, SealView } from '../artefacts';
import { common } from '../strings';

export type { Artefacts, CertificateView, SealView };

export interface StaffPrincipal {
  kind: 'staff';
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  roleLabels: string[];
}

export interface StaffSession {
  principal: StaffPrincipal;
  csrfToken: string;
}

export type PasswordStep = { next: 'enrol'; ticket: string; otpauthUrl: string; qrDataUrl: string } | { next: 'totp'; ticket: string };

let csrfToken: string | undefined;
let unauthorizedHandler: (() => void) | undefined;

export function onStaffUnauthorized(handler: (() => void) | undefined): void {
  unauthorizedHandler = handler;
}

interface ErrorEnvelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error: unknown = value.error;
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && 'message' in error && typeof error.message === 'string';
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function consoleRequest<T>(method: string, path: string, body?: unknown, anonymousAllowed = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const multipart = body instanceof FormData;
  if (body !== undefined && !multipart) headers['content-type'] = 'application/json';
  if (csrfToken && method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : multipart ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', common.networkError, undefined);
  }
  const payload = parseJson(await response.text());
  if (response.ok) return payload as T;
  if (response.status === 401 && !anonymousAllowed) {
    csrfToken = undefined;
    unauthorizedHandler?.();
  }
  if (isErrorEnvelope(payload)) throw new ApiError(response.status, payload.error.code, payload.error.message, payload.error.details);
  throw new ApiError(response.status, 'UNEXPECTED', common.serverError, undefined);
}

export const staffApi = {
  passwordLogin(username: string, password: string): Promise<PasswordStep> {
    return consoleRequest('POST', '/api/staff/login', { username, password }, true);
  },
  async secondStep(kind: 'enrol' | 'totp', ticket: string, code: string): Promise<StaffSession> {
    const path = kind === 'enrol' ? '/api/staff/enrol' : '/api/staff/login/totp';
    const session = await consoleRequest<StaffSession>('POST', path, { ticket, code }, true);
    csrfToken = session.csrfToken;
    return session;
  },
  async session(): Promise<StaffSession | null> {
    try {
      const session = await consoleRequest<StaffSession>('GET', '/api/staff/session', undefined, true);
      csrfToken = session.csrfToken;
      return session;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
        csrfToken = undefined;
        return null;
      }
      throw err;
    }
  },
  async logout(): Promise<void> {
    await consoleRequest<void>('POST', '/api/staff/logout', {}, true);
    csrfToken = undefined;
  },
};

export interface QueueItem {
  id: string;
  number: string;
  orgName: string | null;
  uscc: string | null;
  applicantType: 'enterprise' | 'institution';
  applicantTypeLabel: string;
  projectName: string | null;
  status: string;
  statusLabel: string;
  submittedAt: string | null;
  flags: string[];
}

export interface QueueFilter {
  status: string;
  project?: string;
  type?: string;
  olderThanDays?: number;
  search?: string;
}

export interface Project {
  id: string;
  name: string;
}

export type Invoice =
  | { wanted: false }
  | { wanted: true; type: 'normal' | 'special'; title: string; taxNumber: string; email: string; address?: string; phone?: string; bank?: string; account?: string };

export type Delivery =
  | { method: 'post'; courier: string; recipient: string; phone: string; province: string; city: string; district: string; address: string }
  | { method: 'pickup' };

export interface ReviewAttachment {
  id: string;
  kind: string;
  label: string;
  width: number | null;
  height: number | null;
  sizeBytes: number;
}

export interface DecisionItem {
  item: string;
  reason: string;
  label: string;
}

export interface ReviewDetail {
  id: string;
  number: string;
  status: string;
  statusLabel: string;
  /** What this 审核员 may do now: approve / return while 待审核. */
  events: ApplicationEvent[];
  applicantType: 'enterprise' | 'institution';
  applicantTypeLabel: string;
  manualReview: boolean;
  registryOutcome: string | null;
  operator: { name: string | null; idNumber: string | null; phone: string | null };
  organisation: { name: string | null; uscc: string | null; legalRepresentative: string | null };
  projectId: string | null;
  projectName: string | null;
  invoice: Invoice | null;
  delivery: Delivery | null;
  amount: string;
  termYears: number;
  submittedAt: string | null;
  attachments: ReviewAttachment[];
  previousDecision: { decision: 'approve' | 'return' | 'first_approval'; reviewer: string | null; at: string; items: DecisionItem[] } | null;
  /** Four eyes: 审核通过 takes two different reviewers on this project. */
  requiresSecondReview: boolean;
  /** The organisation's certificates still valid. */
  validCertificates: { serialHex: string; notAfter: string; applicationId: string | null }[];
  changedSinceLastReview: string[] | null;
  duplicates: { id: string; number: string; status: string; statusLabel: string }[];
}

export type Decision = { decision: 'approve' } | { decision: 'return'; items: { item: string; reason: string }[] };

/** Any staff role: who did what to an application, when. */
export const timelineApi = {
  get: (id: string) => consoleRequest<{ number: string; entries: TimelineEntry[] }>('GET', `/api/console/applications/${id}/timeline`),
};

export const reviewApi = {
  queue(f: QueueFilter): Promise<{ items: QueueItem[] }> {
    const q = new URLSearchParams({ status: f.status });
    if (f.project) q.set('project', f.project);
    if (f.type) q.set('type', f.type);
    if (f.olderThanDays !== undefined) q.set('olderThanDays', String(f.olderThanDays));
    if (f.search) q.set('q', f.search);
    return consoleRequest('GET', `/api/review/queue?${q.toString()}`);
  },
  projects(): Promise<{ items: Project[] }> {
    return consoleRequest('GET', '/api/projects', undefined, true);
  },
  detail(id: string): Promise<ReviewDetail> {
    return consoleRequest('GET', `/api/review/applications/${encodeURIComponent(id)}`);
  },
  contentUrl(id: string, attachmentId: string): string {
    return `/api/review/applications/${encodeURIComponent(id)}/attachments/${encodeURIComponent(attachmentId)}/content`;
  },
  decide(id: string, d: Decision): Promise<{ status: string; statusLabel: string; stage: 'first' | 'final' | null }> {
    return consoleRequest('POST', `/api/review/applications/${encodeURIComponent(id)}/decision`, d);
  },
};

/** The 制证员's side (src/modules/production/routes.ts is the contract). */
export type ProductionStatus = 'paid' | 'in_production' | 'shipped' | 'awaiting_pickup';
export type Courier = 'EMS' | 'SF';

export interface ShipmentView {
  method: 'post' | 'pickup';
  methodLabel: string;
  courier: Courier | null;
  courierLabel: string | null;
  trackingNumber: string | null;
  pickupAddress: string | null;
  note: string | null;
  shippedAt: string;
  completedAt: string | null;
  completedHowLabel: string | null;
}

export interface ProductionQueueItem {
  id: string;
  number: string;
  orgName: string | null;
  uscc: string | null;
  projectName: string | null;
  status: string;
  statusLabel: string;
  deliveryMethod: 'post' | 'pickup' | null;
  deliveryLabel: string;
  submittedAt: string | null;
  updatedAt: string;
  shipment: ShipmentView | null;
}

export interface ProductionDetail {
  id: string;
  number: string;
  status: string;
  statusLabel: string;
  /** What this 制证员 may do now (the domain's availableEvents). */
  events: ApplicationEvent[];
  /** 签发证书 and 制作电子印章 are open (制证中). */
  canIssue: boolean;
  applicantType: 'enterprise' | 'institution';
  applicantTypeLabel: string;
  operator: { name: string; phone: string };
  organisation: { name: string | null; uscc: string | null; legalRepresentative: string | null };
  projectName: string | null;
  invoice: Invoice | null;
  delivery: Delivery | null;
  deliveryLabel: string;
  pickupAddress: string;
  amount: string;
  submittedAt: string | null;
  updatedAt: string;
  shipment: ShipmentView | null;
  timelineUrl: string;
}

type StatusResult = { status: string; statusLabel: string };
const production = (id: string) => `/api/production/applications/${encodeURIComponent(id)}`;

export const productionApi = {
  queue(status: ProductionStatus, search?: string): Promise<{ items: ProductionQueueItem[] }> {
    const q = new URLSearchParams({ status });
    if (search) q.set('q', search);
    return consoleRequest('GET', `/api/production/queue?${q.toString()}`);
  },
  detail: (id: string): Promise<ProductionDetail> => consoleRequest('GET', production(id)),
  timeline: timelineApi.get,
  start: (id: string): Promise<StatusResult> => consoleRequest('POST', `${production(id)}/start`, {}),
  ship: (id: string, courier: Courier, trackingNumber: string): Promise<StatusResult> =>
    consoleRequest('POST', `${production(id)}/ship`, { courier, trackingNumber }),
  pickup: (id: string, reason?: string): Promise<StatusResult> => consoleRequest('POST', `${production(id)}/pickup`, reason ? { reason } : {}),
  handover: (id: string): Promise<StatusResult> => consoleRequest('POST', `${production(id)}/handover`, {}),
};

/** Issuance and seals: the CA module's contract (src/modules/ca). Until it is merged these answer 404. */
export type IssueRequest = { mode: 'csr'; csrPem: string; usbKeySerial: string } | { mode: 'software'; family: 'sm2' | 'p256' };

export interface IssueResult {
  certificates: CertificateView[];
  p12?: { base64: string; password: string; fileName: string };
  /** SM2 from a USB key's CSR: the encryption key pair in a GM/T 0009 envelope, to write into the USB key. */
  envelope?: { base64: string; fileName: string };
}

export interface RevokeResult {
  certificate: CertificateView;
  /** The other certificate of a dual pair, revoked with it. */
  pair?: CertificateView;
}

export const caApi = {
  artefacts: (id: string): Promise<Artefacts> => consoleRequest('GET', `${production(id)}/artefacts`),
  issue: (id: string, body: IssueRequest): Promise<IssueResult> => consoleRequest('POST', `${production(id)}/certificates`, body),
  makeSeal: (id: string): Promise<{ seal: SealView }> => consoleRequest('POST', `${production(id)}/seal`, {}),
  revoke: (serialHex: string, reason: string): Promise<RevokeResult> =>
    consoleRequest('POST', `/api/production/certificates/${encodeURIComponent(serialHex)}/revoke`, { reason }),
};
