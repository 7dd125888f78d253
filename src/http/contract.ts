/**
 * The API's answers as types, for the web: each is z.infer of the schema its route declares (the
 * modules' schemas.ts), so a server change the web does not follow fails `npm run typecheck`.
 * Types only — the web bundles none of this (`import type`); the files behind it import nothing
 * but zod and the domain.
 */
export type { ErrorBody } from './contract/common.ts';

export type { ApplicantSession, SmsCodeSent } from '../modules/auth/schemas.ts';
export type { PasswordStep, StaffAccount, StaffProfileView, StaffSession } from '../modules/staff/schemas.ts';

export type {
  ApplicationSummary,
  ApplicationView,
  AttachmentSlot,
  AttachmentUploaded,
  BankTransfer,
  ContractKind,
  ContractText,
  OperatorVerified,
  OrganisationOutcome,
  ProjectOption,
  ReturnedItemView,
  StaffTimeline,
  StatusChange,
  Term,
  TimelineEntry,
  UploadedAttachment,
} from '../modules/applications/schemas.ts';

export type { DecisionItem, ReviewAttachment, ReviewDecided, ReviewDetail, ReviewQueueItem } from '../modules/review/schemas.ts';

export type {
  BankChosen,
  BankDetails,
  FinanceQueueItem,
  PaymentOverview,
  PaymentView,
  RefundItem,
  RefundRequested,
  StatementImported,
  StatementLineResult,
  VoucherSubmitted,
  WechatOrder,
  WechatStatus,
} from '../modules/payments/schemas.ts';

export type { ProductionDetail, ProductionQueueItem, QueueStatus, ShipmentView } from '../modules/production/schemas.ts';

export type {
  Artefacts,
  CertificateView,
  HeldCertificate,
  IssueResult,
  RevocationRequestView,
  RevokeResult,
  SealView,
  StaffRevocationRequestView,
  VerifyResult,
} from '../modules/ca/schemas.ts';

export type { AdminProject, AttachmentKindOption, Price, PriceKind } from '../modules/catalogue/schemas.ts';
export type { ContractTemplateView, ContractVersion, Placeholder } from '../modules/contracts/schemas.ts';
export type { SmsTemplateSummary, SmsVersion } from '../modules/notifications/schemas.ts';

/** The domain's own shapes and names that answers carry. */
export type { ApplicantType, ApplicationEvent, ApplicationStatus, DraftStep } from '../domain/application.ts';
export type { ApplicationForm, Delivery, Invoice } from '../domain/application-form.ts';
export type { Courier } from '../domain/shipping.ts';
export type { StaffRole } from '../domain/principal.ts';
