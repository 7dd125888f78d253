/**
 * The API's answers as types, for the web: each is z.infer of the schema its route declares (the
 * modules' schemas.ts), so a server change the web does not follow fails `npm run typecheck`.
 * Types only — the web bundles none of this (`import type`); the files behind it import nothing
 * but zod and the domain.
 */
import type { z } from 'zod';
import type * as applications from '../modules/applications/schemas.ts';
import type * as ca from '../modules/ca/schemas.ts';
import type * as catalogue from '../modules/catalogue/schemas.ts';
import type * as contracts from '../modules/contracts/schemas.ts';
import type * as notifications from '../modules/notifications/schemas.ts';
import type * as payments from '../modules/payments/schemas.ts';
import type * as production from '../modules/production/schemas.ts';
import type * as review from '../modules/review/schemas.ts';
import type * as staff from '../modules/staff/schemas.ts';
import type * as invoices from '../modules/invoices/schemas.ts';
export type { Dashboard } from '../modules/reports/schemas.ts';

export type { ErrorBody } from './contract/common.ts';
export type { PlatformAnswer, PlatformCredentials, PlatformList, PlatformView, WebhookDeliveryList, WebhookDeliveryView } from '../modules/platforms/schemas.ts';

export type { ApplicantSession, SmsCodeSent } from '../modules/auth/schemas.ts';
export type { UnlockAnswer, UnlockCodeSent } from '../modules/usb-key-unlock/schemas.ts';
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

/** The envelopes around lists and single objects, as the routes answer them. */
export type ApplicationList = z.infer<typeof applications.applicationList>;
export type ProjectOptions = z.infer<typeof applications.projectOptions>;
export type Terms = z.infer<typeof applications.terms>;
export type ApplicantTimeline = z.infer<typeof applications.applicantTimeline>;
export type StepReached = z.infer<typeof applications.stepReached>;
export type RenewalStarted = z.infer<typeof applications.renewalStarted>;
export type RenewalIssued = z.infer<typeof ca.renewalIssued>;
export type LossReportCode = z.infer<typeof ca.lossReportCode>;
export type LossReported = z.infer<typeof ca.lossReported>;
export type ReviewQueue = z.infer<typeof review.reviewQueue>;
export type FinanceQueue = z.infer<typeof payments.financeQueue>;
export type RefundList = z.infer<typeof payments.refundList>;
export type ProductionQueue = z.infer<typeof production.productionQueue>;
export type ShipmentAnswer = z.infer<typeof production.shipmentAnswer>;
export type SealMade = z.infer<typeof ca.sealMade>;
export type SealApproved = z.infer<typeof ca.sealApproved>;
export type StaffRevocationRequests = z.infer<typeof ca.staffRevocationRequests>;
export type StaffAccountList = z.infer<typeof staff.staffAccountList>;
export type StaffAccountAnswer = z.infer<typeof staff.staffAccountAnswer>;
export type LoginAlertList = z.infer<typeof staff.loginAlertList>;
export type AdminProjectList = z.infer<typeof catalogue.adminProjectList>;
export type AdminProjectAnswer = z.infer<typeof catalogue.adminProjectAnswer>;
export type PriceList = z.infer<typeof catalogue.priceList>;
export type PriceAnswer = z.infer<typeof catalogue.priceAnswer>;
export type ContractVersions = z.infer<typeof contracts.contractVersions>;
export type ContractTemplateAnswer = z.infer<typeof contracts.contractTemplateAnswer>;
export type SmsTemplates = z.infer<typeof notifications.smsTemplates>;
export type SmsHistory = z.infer<typeof notifications.smsHistory>;
export type SmsVersionAnswer = z.infer<typeof notifications.smsVersionAnswer>;

export type {
  ApplicantInvoices,
  ConsoleInvoice,
  ConsoleInvoiceDetail,
  InvoiceMail,
  InvoiceSummary,
  InvoiceView,
  Ledger,
} from '../modules/invoices/schemas.ts';
export type ConsoleInvoiceList = z.infer<typeof invoices.consoleInvoiceList>;
export type Reissued = z.infer<typeof invoices.reissued>;
