import type { TimelineEntry } from '../components/TimelineCard';
/**
 * The applicant's 单位证书及电子印章申请 as the server describes it (src/modules/applications/routes.ts
 * is the contract), and one typed call per endpoint.
 */
import type { ApplicationEvent } from '../../../src/domain/application';
import { request, upload } from '../api';

export type ApplicantType = 'enterprise' | 'institution';
export type DraftStep = 'identity' | 'contract' | 'attachments' | 'contract_review' | 'form' | 'project_attachments';
export type ContractKind = 'sign' | 'read';

export interface ApplicationSummary {
  id: string;
  number: string;
  orgName: string | null;
  projectName: string | null;
  /** yuan, e.g. "195.00" */
  amount: string;
  status: string;
  statusLabel: string;
  step: DraftStep;
  /** What the applicant may do now (the domain's availableEvents): the buttons shown. */
  events: ApplicationEvent[];
  /** Paid for: 证书与印章 is offered. */
  production: boolean;
  /** Left the CA: the 邮寄信息 cell shows how. */
  delivered: boolean;
  /** 资料审核通过: where and how much to remit, with the code for the memo. */
  bankTransfer: BankTransfer | null;
  /** Paid: production waits for the applicant's 确认印章. */
  sealAwaited: boolean;
  /** 新办 or 续期. */
  kind: 'new' | 'renewal';
  kindLabel: string;
  /** 即将到期 / 已过期 of the certificate this application made, until it is renewed. */
  expiry: { state: 'expiring' | 'expired'; label: string; daysLeft: number; notAfter: string } | null;
  createdAt: string;
}

export interface BankTransfer {
  accountName: string;
  bankName: string;
  accountNumber: string;
  remittanceCode: string;
  amount: string;
}

export interface UploadedAttachment {
  id: string;
  name: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
}

export interface AttachmentSlot {
  kind: string;
  label: string;
  hint: string | null;
  uploaded: UploadedAttachment | null;
}

export type Invoice =
  | { wanted: false }
  | {
      wanted: true;
      type: 'normal' | 'special';
      title: string;
      taxNumber: string;
      email: string;
      address?: string;
      phone?: string;
      bank?: string;
      account?: string;
    };

export type Courier = 'EMS' | 'SF';

export type Delivery =
  | { method: 'pickup' }
  | {
      method: 'post';
      courier: Courier;
      recipient: string;
      phone: string;
      province: string;
      city: string;
      district: string;
      address: string;
    };

/** A 服务年限 on offer: first year at the first-application price, further years at the renewal price. */
export interface Term {
  years: number;
  amount: string;
}

export interface ApplicationForm {
  projectId: string;
  termYears: number;
  invoice: Invoice;
  delivery: Delivery;
}

/** An item the reviewer returned (待修改): `attachment:<kind>` or `field:operator|organisation|project|invoice|delivery`. */
export interface ReturnedItem {
  item: string;
  label: string;
  reason: string;
}

export interface ApplicationView {
  id: string;
  number: string;
  status: string;
  statusLabel: string;
  step: DraftStep;
  events: ApplicationEvent[];
  /** A 草稿, or a 待修改's returned items: the wizard opens (else only 查看). */
  editable: boolean;
  /** The steps this applicant type walks, in order (an enterprise reads the signed contract between its uploads and the form; a 事业单位 uploads everything last). */
  steps: DraftStep[];
  kind: 'new' | 'renewal';
  kindLabel: string;
  /** 续期: the certificate renewed, the unit's data as verified last time, and what was changed. */
  renewal: {
    renewsSerial: string;
    previous: { orgName: string; uscc: string; legalRepresentative: string; operatorName: string; operatorIdNumber: string; applicationNumber: string };
    changed: string[];
  } | null;
  applicantType: ApplicantType;
  applicantTypeLabel: string;
  operator: { name: string; idNumberMasked: string; phoneMasked: string };
  organisation: { name: string; uscc: string | null; legalRepresentative: string | null; registryOutcome: string | null } | null;
  manualReview: boolean;
  project: { id: string; name: string } | null;
  invoice: Invoice | null;
  delivery: Delivery | null;
  amount: string;
  /** 服务年限 paid for; the certificate is valid this long. */
  termYears: number;
  baseAttachments: AttachmentSlot[];
  projectAttachments: AttachmentSlot[];
  /** Empty unless the status is 待修改 (needs_changes). */
  returnedItems?: ReturnedItem[];
  contractAcceptances: { kind: ContractKind; version: number; at: string }[];
  createdAt: string;
  submittedAt: string | null;
}

export interface Project {
  id: string;
  name: string;
  description: string | null;
}

export interface Contract {
  version: number;
  title: string;
  text: string;
  sha256: string;
}

export interface OperatorIdentity {
  applicationId?: string;
  applicantType: ApplicantType;
  operatorName: string;
  operatorIdNumber: string;
  operatorPhone: string;
}

export interface OrganisationIdentity {
  orgName: string;
  uscc: string;
  legalRepresentative: string;
}

export interface OrganisationOutcome {
  outcome: 'match' | 'not_found';
  applicantType: ApplicantType;
  message: string;
}

export type Template = 'application-form.pdf' | 'authorisation-letter.pdf';

const base = (id: string) => `/api/applications/${encodeURIComponent(id)}`;

export const attachmentContentUrl = (applicationId: string, attachmentId: string) =>
  `${base(applicationId)}/attachments/${encodeURIComponent(attachmentId)}/content`;

/** The signed contract: shown inline in the page, or (`download`) saved as a file. */
export const contractPdfUrl = (applicationId: string, download = false) => `${base(applicationId)}/contract.pdf${download ? '?download=1' : ''}`;

export const templateUrl = (applicationId: string, template: Template) => `${base(applicationId)}/templates/${template}`;

export const applicationsApi = {
  list: () => request<{ items: ApplicationSummary[] }>('GET', '/api/applications').then((r) => r.items),
  projects: () => request<{ items: Project[] }>('GET', '/api/projects').then((r) => r.items),
  terms: (kind: 'new' | 'renewal' = 'new') => request<{ items: Term[] }>('GET', `/api/terms?kind=${kind}`).then((r) => r.items),
  /** 续期 of a certificate: the new draft. */
  startRenewal: (serial: string) => request<{ id: string; number: string; message: string }>('POST', '/api/renewals', { body: { serial } }),
  view: (id: string) => request<ApplicationView>('GET', base(id)),
  timeline: (id: string) => request<{ entries: TimelineEntry[] }>('GET', `${base(id)}/timeline`),

  verifyOperator: (body: OperatorIdentity) =>
    request<{ id: string; number: string; message: string }>('POST', '/api/applications/identity/operator', { body }),
  verifyOrganisation: (id: string, body: OrganisationIdentity) =>
    request<OrganisationOutcome>('POST', `${base(id)}/identity/organisation`, { body }),

  contract: (id: string) => request<Contract>('GET', `${base(id)}/contract`),
  acceptContract: (id: string, kind: ContractKind, contract: Contract) =>
    request<{ step: DraftStep }>('POST', `${base(id)}/contract/accept`, {
      body: { kind, version: contract.version, sha256: contract.sha256, agreed: true },
    }),

  uploadAttachment: (id: string, kind: string, file: Blob, filename: string, onProgress: (percent: number) => void) =>
    upload<{ id: string; kind: string; sizeBytes: number; message: string }>(
      `${base(id)}/attachments/${encodeURIComponent(kind)}`,
      file,
      filename,
      onProgress,
    ),
  completeAttachments: (id: string) => request<{ step: DraftStep }>('POST', `${base(id)}/attachments/complete`, { body: {} }),

  saveForm: (id: string, form: Omit<ApplicationForm, 'delivery'> & { delivery: ApplicationForm['delivery'] | null }) => request<{ step: DraftStep }>('PUT', `${base(id)}/form`, { body: form }),

  submit: (id: string) => request<{ status: string; statusLabel: string }>('POST', `${base(id)}/submit`, { body: {} }),
  resubmit: (id: string) => request<{ status: string; statusLabel: string }>('POST', `${base(id)}/resubmit`, { body: {} }),
  cancel: (id: string) => request<{ status: string; statusLabel: string }>('POST', `${base(id)}/cancel`, { body: {} }),
  /** 取消 after payment: refunded through WeChat Pay at once, or by 财务 for a bank transfer. */
  refund: (id: string) => request<{ status: string; statusLabel: string; refundStatus: string }>('POST', `${base(id)}/refund`, { body: {} }),
};
