/** The 管理员's calls: staff accounts, 证书用途, prices, contract and SMS templates. */
import { consoleRequest } from './api';

export type StaffRole = 'reviewer' | 'finance' | 'producer' | 'admin';

export interface StaffAccount {
  id: string;
  username: string;
  displayName: string;
  roles: StaffRole[];
  roleLabels: string[];
  totpEnrolled: boolean;
  disabled: boolean;
  locked: boolean;
  statusLabel: string;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface NewStaffAccount {
  username: string;
  displayName: string;
  password: string;
  roles: StaffRole[];
}

export type ApplicantType = 'enterprise' | 'institution';

export interface AdminProject {
  id: string;
  name: string;
  description: string;
  extraAttachments: Record<ApplicantType, string[]>;
  sortOrder: number;
  active: boolean;
  requiresSecondReview: boolean;
  renewalAutoReview: boolean;
}
export type ProjectInput = Omit<AdminProject, 'id' | 'active'>;
export interface AttachmentKindOption {
  kind: string;
  enterprise: string;
  institution: string;
}

export type PriceKind = 'first' | 'renewal';
export interface Price {
  id: number;
  kind: PriceKind;
  kindLabel: string;
  amountFen: number;
  amountYuan: string;
  effectiveFrom: string;
  state: 'current' | 'scheduled' | 'past';
  stateLabel: string;
}

export interface ContractVersion {
  version: number;
  title: string;
  createdAt: string;
  acceptances: number;
  current: boolean;
}
export interface ContractTemplate {
  version: number;
  title: string;
  body: string;
  createdAt: string;
}
export interface Placeholder {
  name: string;
  label: string;
  sample: string;
}

export interface SmsVersion {
  code: string;
  version: number;
  body: string;
  createdAt: string;
}
export interface SmsTemplateSummary {
  code: string;
  label: string;
  variables: { name: string; sample: string }[];
  current: SmsVersion | null;
}

const id = encodeURIComponent;

export const adminApi = {
  accounts: () => consoleRequest<{ accounts: StaffAccount[] }>('GET', '/api/staff/accounts'),
  createAccount: (a: NewStaffAccount) => consoleRequest<{ account: StaffAccount }>('POST', '/api/staff/accounts', a),
  disable: (accountId: string) => consoleRequest<{ account: StaffAccount }>('POST', `/api/staff/accounts/${id(accountId)}/disable`, {}),
  enable: (accountId: string) => consoleRequest<{ account: StaffAccount }>('POST', `/api/staff/accounts/${id(accountId)}/enable`, {}),
  setRoles: (accountId: string, roles: StaffRole[]) => consoleRequest<{ account: StaffAccount }>('PUT', `/api/staff/accounts/${id(accountId)}/roles`, { roles }),
  resetTotp: (accountId: string) => consoleRequest<{ account: StaffAccount }>('POST', `/api/staff/accounts/${id(accountId)}/reset-totp`, {}),

  projects: () => consoleRequest<{ projects: AdminProject[]; attachmentKinds: AttachmentKindOption[] }>('GET', '/api/admin/projects'),
  createProject: (p: ProjectInput & { id: string }) => consoleRequest<{ project: AdminProject }>('POST', '/api/admin/projects', p),
  updateProject: (projectId: string, p: ProjectInput) => consoleRequest<{ project: AdminProject }>('PUT', `/api/admin/projects/${id(projectId)}`, p),
  setProjectActive: (projectId: string, active: boolean) =>
    consoleRequest<{ project: AdminProject }>('POST', `/api/admin/projects/${id(projectId)}/${active ? 'activate' : 'deactivate'}`, {}),

  prices: () => consoleRequest<{ prices: Price[] }>('GET', '/api/admin/prices'),
  addPrice: (p: { kind: PriceKind; amountYuan: string; effectiveFrom?: string }) => consoleRequest<{ price: Price }>('POST', '/api/admin/prices', p),

  contractVersions: () => consoleRequest<{ versions: ContractVersion[]; placeholders: Placeholder[] }>('GET', '/api/admin/contract-templates'),
  contractVersion: (version: number) => consoleRequest<{ template: ContractTemplate }>('GET', `/api/admin/contract-templates/${version}`),
  addContractVersion: (title: string, body: string) => consoleRequest<{ template: ContractTemplate }>('POST', '/api/admin/contract-templates', { title, body }),

  smsTemplates: () => consoleRequest<{ signName: string; templates: SmsTemplateSummary[] }>('GET', '/api/admin/sms-templates'),
  smsHistory: (code: string) => consoleRequest<{ versions: SmsVersion[] }>('GET', `/api/admin/sms-templates/${id(code)}`),
  addSmsVersion: (code: string, body: string) => consoleRequest<{ template: SmsVersion }>('POST', `/api/admin/sms-templates/${id(code)}`, { body }),
};
