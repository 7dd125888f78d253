/**
 * The staff console's calls. Its client is the portal's (../api.ts) with its own in-memory CSRF
 * token (a staff session is separate from an applicant's) and its own 401 handler that leads back
 * to /console/login. The answers' types are the server's (src/http/contract.ts).
 */
import type { ApplicationEvent } from '../../../src/domain/application.ts';
import type {
  ApplicantType,
  ApplicationStatus,
  Artefacts,
  CertificateView,
  Courier,
  DecisionItem,
  Delivery,
  Invoice,
  IssueResult,
  PasswordStep,
  ProductionDetail,
  ProductionQueue,
  ProductionQueueItem,
  ProjectOption,
  ProjectOptions,
  QueueStatus,
  ReviewAttachment,
  ReviewDecided,
  ReviewDetail,
  ReviewQueue,
  ReviewQueueItem,
  RevokeResult,
  SealMade,
  SealView,
  ShipmentView,
  StaffSession,
  StaffTimeline,
  StatusChange,
  TimelineEntry,
} from '../../../src/http/contract.ts';
import { ApiError, createApiClient } from '../api';

export type { Artefacts, CertificateView, PasswordStep, SealView, StaffSession, TimelineEntry };
export type StaffPrincipal = StaffSession['principal'];

export const staffClient = createApiClient();
export const onStaffUnauthorized = staffClient.onUnauthorized;

export const staffApi = {
  passwordLogin(username: string, password: string): Promise<PasswordStep> {
    return staffClient.request('POST', '/api/staff/login', { body: { username, password }, anonymousAllowed: true });
  },
  async secondStep(kind: 'enrol' | 'totp', ticket: string, code: string): Promise<StaffSession> {
    const path = kind === 'enrol' ? '/api/staff/enrol' : '/api/staff/login/totp';
    const session = await staffClient.request<StaffSession>('POST', path, { body: { ticket, code }, anonymousAllowed: true });
    staffClient.setCsrfToken(session.csrfToken);
    return session;
  },
  async session(): Promise<StaffSession | null> {
    try {
      const session = await staffClient.request<StaffSession>('GET', '/api/staff/session', { anonymousAllowed: true });
      staffClient.setCsrfToken(session.csrfToken);
      return session;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
        staffClient.setCsrfToken(undefined);
        return null;
      }
      throw err;
    }
  },
  async logout(): Promise<void> {
    await staffClient.request<void>('POST', '/api/staff/logout', { body: {}, anonymousAllowed: true });
    staffClient.setCsrfToken(undefined);
  },
};

export type QueueItem = ReviewQueueItem;

export interface QueueFilter {
  status: ApplicationStatus;
  project?: string;
  type?: ApplicantType;
  olderThanDays?: number;
  search?: string;
}

export type Project = ProjectOption;
export type { DecisionItem, Delivery, Invoice, ReviewAttachment, ReviewDetail };

export type Decision = { decision: 'approve' } | { decision: 'return'; items: { item: string; reason: string }[] };

/** Any staff role: who did what to an application, when. */
export const timelineApi = {
  get: (id: string) => staffClient.request<StaffTimeline>('GET', `/api/console/applications/${id}/timeline`),
};

export const reviewApi = {
  queue(f: QueueFilter): Promise<ReviewQueue> {
    const q = new URLSearchParams({ status: f.status });
    if (f.project) q.set('project', f.project);
    if (f.type) q.set('type', f.type);
    if (f.olderThanDays !== undefined) q.set('olderThanDays', String(f.olderThanDays));
    if (f.search) q.set('q', f.search);
    return staffClient.request('GET', `/api/review/queue?${q.toString()}`);
  },
  projects(): Promise<ProjectOptions> {
    return staffClient.request('GET', '/api/projects', { anonymousAllowed: true });
  },
  detail(id: string): Promise<ReviewDetail> {
    return staffClient.request('GET', `/api/review/applications/${encodeURIComponent(id)}`);
  },
  contentUrl(id: string, attachmentId: string): string {
    return `/api/review/applications/${encodeURIComponent(id)}/attachments/${encodeURIComponent(attachmentId)}/content`;
  },
  decide(id: string, d: Decision): Promise<ReviewDecided> {
    return staffClient.request('POST', `/api/review/applications/${encodeURIComponent(id)}/decision`, { body: d });
  },
};

/** The 制证员's side (answers: src/modules/production/schemas.ts). */
export type ProductionStatus = QueueStatus;
export type { Courier, ProductionDetail, ProductionQueueItem, ShipmentView };
type StatusResult = StatusChange;
const production = (id: string) => `/api/production/applications/${encodeURIComponent(id)}`;

export const productionApi = {
  queue(status: ProductionStatus, search?: string): Promise<ProductionQueue> {
    const q = new URLSearchParams({ status });
    if (search) q.set('q', search);
    return staffClient.request('GET', `/api/production/queue?${q.toString()}`);
  },
  detail: (id: string): Promise<ProductionDetail> => staffClient.request('GET', production(id)),
  timeline: timelineApi.get,
  start: (id: string): Promise<StatusResult> => staffClient.request('POST', `${production(id)}/start`, { body: {} }),
  ship: (id: string, courier: Courier, trackingNumber: string): Promise<StatusResult> =>
    staffClient.request('POST', `${production(id)}/ship`, { body: { courier, trackingNumber } }),
  pickup: (id: string, reason?: string): Promise<StatusResult> => staffClient.request('POST', `${production(id)}/pickup`, { body: reason ? { reason } : {} }),
  handover: (id: string): Promise<StatusResult> => staffClient.request('POST', `${production(id)}/handover`, { body: {} }),
};

/** Issuance, seals and revocation (answers: src/modules/ca/schemas.ts). */
export type IssueRequest = { mode: 'csr'; csrPem: string; usbKeySerial: string } | { mode: 'software'; family: 'sm2' | 'p256' };

export type { IssueResult, RevokeResult };

export const caApi = {
  artefacts: (id: string): Promise<Artefacts> => staffClient.request('GET', `${production(id)}/artefacts`),
  issue: (id: string, body: IssueRequest): Promise<IssueResult> => staffClient.request('POST', `${production(id)}/certificates`, { body }),
  makeSeal: (id: string): Promise<SealMade> => staffClient.request('POST', `${production(id)}/seal`, { body: {} }),
  revoke: (serialHex: string, reason: string): Promise<RevokeResult> =>
    staffClient.request('POST', `/api/production/certificates/${encodeURIComponent(serialHex)}/revoke`, { body: { reason } }),
};
