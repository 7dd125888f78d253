/** The 管理员's calls: staff accounts, 证书用途, prices, contract and SMS templates (answers: the modules' schemas.ts). */
import type {
  AdminProject,
  AdminProjectAnswer,
  AdminProjectList,
  ApplicantType,
  AttachmentKindOption,
  ContractTemplateAnswer,
  ContractTemplateView,
  ContractVersion,
  ContractVersions,
  Placeholder,
  Price,
  PriceAnswer,
  PriceKind,
  PriceList,
  SmsHistory,
  SmsTemplateSummary,
  SmsTemplates,
  SmsVersion,
  SmsVersionAnswer,
  LoginAlertList,
  PlatformAnswer,
  PlatformCredentials,
  PlatformList,
  PlatformView,
  WebhookDeliveryList,
  WebhookDeliveryView,
  StaffAccount,
  StaffAccountAnswer,
  StaffAccountList,
  StaffRole,
} from '../../../src/http/contract.ts';
import { staffClient } from './api';

export type { StaffAccount, StaffRole };

export interface NewStaffAccount {
  username: string;
  displayName: string;
  password: string;
  roles: StaffRole[];
}

export type { PlatformCredentials, PlatformView, WebhookDeliveryView };
export interface PlatformInput {
  name: string;
  contact: string;
  webhookUrl: string;
  projectIds: string[];
}
export type { AdminProject, ApplicantType, AttachmentKindOption, ContractVersion, Placeholder, Price, PriceKind, SmsTemplateSummary, SmsVersion };
export type ContractTemplate = ContractTemplateView;
export type ProjectInput = Omit<AdminProject, 'id' | 'active'>;

const id = encodeURIComponent;

export const adminApi = {
  accounts: () => staffClient.request<StaffAccountList>('GET', '/api/staff/accounts'),
  createAccount: (a: NewStaffAccount) => staffClient.request<StaffAccountAnswer>('POST', '/api/staff/accounts', { body: a }),
  disable: (accountId: string) => staffClient.request<StaffAccountAnswer>('POST', `/api/staff/accounts/${id(accountId)}/disable`, { body: {} }),
  enable: (accountId: string) => staffClient.request<StaffAccountAnswer>('POST', `/api/staff/accounts/${id(accountId)}/enable`, { body: {} }),
  setRoles: (accountId: string, roles: StaffRole[]) => staffClient.request<StaffAccountAnswer>('PUT', `/api/staff/accounts/${id(accountId)}/roles`, { body: { roles } }),
  resetTotp: (accountId: string) => staffClient.request<StaffAccountAnswer>('POST', `/api/staff/accounts/${id(accountId)}/reset-totp`, { body: {} }),
  loginAlerts: () => staffClient.request<LoginAlertList>('GET', '/api/staff/login-alerts'),
  acknowledgeLoginAlert: (accountId: string) => staffClient.request<null>('POST', `/api/staff/login-alerts/${id(accountId)}/acknowledge`, { body: {} }),

  projects: () => staffClient.request<AdminProjectList>('GET', '/api/admin/projects'),
  createProject: (p: ProjectInput & { id: string }) => staffClient.request<AdminProjectAnswer>('POST', '/api/admin/projects', { body: p }),
  updateProject: (projectId: string, p: ProjectInput) => staffClient.request<AdminProjectAnswer>('PUT', `/api/admin/projects/${id(projectId)}`, { body: p }),
  setProjectActive: (projectId: string, active: boolean) =>
    staffClient.request<AdminProjectAnswer>('POST', `/api/admin/projects/${id(projectId)}/${active ? 'activate' : 'deactivate'}`, { body: {} }),

  prices: () => staffClient.request<PriceList>('GET', '/api/admin/prices'),
  addPrice: (p: { kind: PriceKind; amountYuan: string; effectiveFrom?: string }) => staffClient.request<PriceAnswer>('POST', '/api/admin/prices', { body: p }),

  contractVersions: () => staffClient.request<ContractVersions>('GET', '/api/admin/contract-templates'),
  contractVersion: (version: number) => staffClient.request<ContractTemplateAnswer>('GET', `/api/admin/contract-templates/${version}`),
  addContractVersion: (title: string, body: string) => staffClient.request<ContractTemplateAnswer>('POST', '/api/admin/contract-templates', { body: { title, body } }),

  smsTemplates: () => staffClient.request<SmsTemplates>('GET', '/api/admin/sms-templates'),
  smsHistory: (code: string) => staffClient.request<SmsHistory>('GET', `/api/admin/sms-templates/${id(code)}`),
  addSmsVersion: (code: string, body: string) => staffClient.request<SmsVersionAnswer>('POST', `/api/admin/sms-templates/${id(code)}`, { body: { body } }),

  platforms: () => staffClient.request<PlatformList>('GET', '/api/admin/platforms'),
  registerPlatform: (p: PlatformInput) => staffClient.request<PlatformCredentials>('POST', '/api/admin/platforms', { body: p }),
  updatePlatform: (platformId: string, p: PlatformInput) => staffClient.request<PlatformAnswer>('PUT', `/api/admin/platforms/${id(platformId)}`, { body: p }),
  rotateKey: (platformId: string) => staffClient.request<PlatformCredentials>('POST', `/api/admin/platforms/${id(platformId)}/keys`, { body: {} }),
  revokeKey: (platformId: string, keyId: string) => staffClient.request<PlatformAnswer>('POST', `/api/admin/platforms/${id(platformId)}/keys/${id(keyId)}/revoke`, { body: {} }),
  deliveries: (platformId: string) => staffClient.request<WebhookDeliveryList>('GET', `/api/admin/platforms/${id(platformId)}/deliveries`),
  resend: (platformId: string, deliveryId: string) => staffClient.request<null>('POST', `/api/admin/platforms/${id(platformId)}/deliveries/${id(deliveryId)}/resend`, { body: {} }),
};
