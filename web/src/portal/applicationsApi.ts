/**
 * The applicant's 单位证书及电子印章申请: one typed call per endpoint. The answers' types are the
 * server's (src/modules/applications/schemas.ts, through src/http/contract.ts).
 */
import type {
  ApplicantTimeline,
  ApplicantType,
  ApplicationForm,
  ApplicationList,
  ApplicationSummary,
  ApplicationView,
  AttachmentSlot,
  AttachmentUploaded,
  BankTransfer,
  ContractKind,
  ContractText,
  Courier,
  Delivery,
  DraftStep,
  Invoice,
  OperatorVerified,
  OrganisationOutcome,
  ProjectOption,
  ProjectOptions,
  RefundRequested,
  RenewalStarted,
  ReturnedItemView,
  StatusChange,
  StepReached,
  Term,
  Terms,
  TimelineEntry,
  UploadedAttachment,
} from '../../../src/http/contract.ts';
import { request, upload } from '../api';

export type {
  ApplicantType,
  ApplicationForm,
  ApplicationSummary,
  ApplicationView,
  AttachmentSlot,
  BankTransfer,
  ContractKind,
  Courier,
  Delivery,
  DraftStep,
  Invoice,
  OrganisationOutcome,
  Term,
  UploadedAttachment,
};
export type Project = ProjectOption;
export type Contract = ContractText;
export type ReturnedItem = ReturnedItemView;

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

export type Template = 'application-form.pdf' | 'authorisation-letter.pdf';

const base = (id: string) => `/api/applications/${encodeURIComponent(id)}`;

export const attachmentContentUrl = (applicationId: string, attachmentId: string) =>
  `${base(applicationId)}/attachments/${encodeURIComponent(attachmentId)}/content`;

/** The signed contract: shown inline in the page, or (`download`) saved as a file. */
export const contractPdfUrl = (applicationId: string, download = false) => `${base(applicationId)}/contract.pdf${download ? '?download=1' : ''}`;

export const templateUrl = (applicationId: string, template: Template) => `${base(applicationId)}/templates/${template}`;

export const applicationsApi = {
  list: () => request<ApplicationList>('GET', '/api/applications').then((r) => r.items),
  projects: () => request<ProjectOptions>('GET', '/api/projects').then((r) => r.items),
  terms: (kind: 'new' | 'renewal' = 'new') => request<Terms>('GET', `/api/terms?kind=${kind}`).then((r) => r.items),
  /** 续期 of a certificate: the new draft. */
  startRenewal: (serial: string) => request<RenewalStarted>('POST', '/api/renewals', { body: { serial } }),
  startChange: (serial: string, items: string[]) => request<RenewalStarted>('POST', '/api/changes', { body: { serial, items } }),
  startReissue: (serial: string) => request<RenewalStarted>('POST', '/api/reissues', { body: { serial } }),
  view: (id: string) => request<ApplicationView>('GET', base(id)),
  timeline: (id: string) => request<ApplicantTimeline>('GET', `${base(id)}/timeline`),

  verifyOperator: (body: OperatorIdentity) =>
    request<OperatorVerified>('POST', '/api/applications/identity/operator', { body }),
  verifyOrganisation: (id: string, body: OrganisationIdentity) =>
    request<OrganisationOutcome>('POST', `${base(id)}/identity/organisation`, { body }),

  contract: (id: string) => request<Contract>('GET', `${base(id)}/contract`),
  acceptContract: (id: string, kind: ContractKind, contract: Contract) =>
    request<StepReached>('POST', `${base(id)}/contract/accept`, {
      body: { kind, version: contract.version, sha256: contract.sha256, agreed: true },
    }),

  uploadAttachment: (id: string, kind: string, file: Blob, filename: string, onProgress: (percent: number) => void) =>
    upload<AttachmentUploaded>(
      `${base(id)}/attachments/${encodeURIComponent(kind)}`,
      file,
      filename,
      onProgress,
    ),
  completeAttachments: (id: string) => request<StepReached>('POST', `${base(id)}/attachments/complete`, { body: {} }),

  /** A 续期 renewed online has no 领取方式: `delivery` null. */
  saveForm: (id: string, form: Omit<ApplicationForm, 'delivery'> & { delivery: ApplicationForm['delivery'] | null }) =>
    request<StepReached>('PUT', `${base(id)}/form`, { body: form }),

  submit: (id: string) => request<StatusChange>('POST', `${base(id)}/submit`, { body: {} }),
  resubmit: (id: string) => request<StatusChange>('POST', `${base(id)}/resubmit`, { body: {} }),
  cancel: (id: string) => request<StatusChange>('POST', `${base(id)}/cancel`, { body: {} }),
  /** 取消 after payment: refunded through WeChat Pay at once, or by 财务 for a bank transfer. */
  refund: (id: string) => request<RefundRequested>('POST', `${base(id)}/refund`, { body: {} }),
};
