/**
 * applications' answers (the applicant's 单位证书及电子印章申请, step by step), as zod schemas: the
 * routes declare them, the web reads their types through src/http/contract.ts. Also the shapes
 * other modules' answers share: an invoice, a delivery, a status change, a timeline.
 */
import { z } from 'zod';
import { invoiceFormView, invoiceSummary } from '../invoices/schemas.ts';
import { applicantTypes, applicationEvents, applicationStatuses, draftSteps } from '../../domain/application.ts';
import type { Delivery } from '../../domain/application-form.ts';
import { attachmentKinds } from '../../domain/attachments.ts';
import type { TimelineEntry } from '../../domain/timeline.ts';
import { applicationKinds, unitFieldLabels } from '../../domain/renewal.ts';

export const applicationKind = z.enum(applicationKinds);
/** 即将到期 / 已过期 of a certificate not renewed yet. */
export const expiryNotice = z.object({ state: z.enum(['expiring', 'expired']), label: z.string(), daysLeft: z.number(), notAfter: z.string() });
const unitField = z.enum(Object.keys(unitFieldLabels) as [keyof typeof unitFieldLabels, ...(keyof typeof unitFieldLabels)[]]);

export const applicationStatus = z.enum(applicationStatuses);
export const applicationEvent = z.enum(applicationEvents);
export const applicantType = z.enum(applicantTypes);
export const draftStep = z.enum(draftSteps);

/** 是否开具发票 as stored (declared with the invoices' answers). */
export const invoiceView = invoiceFormView;

/** 证书领取方式 as stored. */
export const deliveryView = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('post'),
    courier: z.enum(['EMS', 'SF']),
    recipient: z.string(),
    phone: z.string(),
    province: z.string(),
    city: z.string(),
    district: z.string(),
    address: z.string(),
  }),
  z.object({ method: z.literal('pickup') }),
]) satisfies z.ZodType<Delivery>;

/** A status change's answer: the new status and its label. */
export const statusChange = z.object({ status: applicationStatus, statusLabel: z.string() });
export type StatusChange = z.infer<typeof statusChange>;

/** 办理进度: one entry (oldest first); `actor` on the staff's view only. */
export const timelineEntry = z.object({
  id: z.number(),
  at: z.string(),
  title: z.string(),
  statusLabel: z.string().nullable(),
  detail: z.string().nullable(),
  actor: z.string().optional(),
}) satisfies z.ZodType<TimelineEntry>;
export type { TimelineEntry };
export const applicantTimeline = z.object({ entries: z.array(timelineEntry) });
export const staffTimeline = z.object({ number: z.string(), entries: z.array(timelineEntry) });
export type StaffTimeline = z.infer<typeof staffTimeline>;

const attachmentOption = z.object({ kind: z.enum(attachmentKinds), label: z.string() });
export const projectOption = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** The attachments this project adds, per applicant type. */
  extraAttachments: z.object({ enterprise: z.array(attachmentOption), institution: z.array(attachmentOption) }),
});
export type ProjectOption = z.infer<typeof projectOption>;
export const projectOptions = z.object({ items: z.array(projectOption) });

/** A 服务年限 on offer: the first year at the first-application price, further years at the renewal price. */
export const term = z.object({ years: z.number(), amount: z.string() });
export type Term = z.infer<typeof term>;
export const terms = z.object({ items: z.array(term) });

/** 资料审核通过: where and how much to remit, with the code for the memo. */
export const bankTransfer = z.object({
  accountName: z.string(),
  bankName: z.string(),
  accountNumber: z.string(),
  remittanceCode: z.string(),
  amount: z.string(),
});
export type BankTransfer = z.infer<typeof bankTransfer>;

export const applicationSummary = z.object({
  id: z.string(),
  number: z.string(),
  orgName: z.string().nullable(),
  projectName: z.string().nullable(),
  /** 元, e.g. "195.00". */
  amount: z.string(),
  status: applicationStatus,
  statusLabel: z.string(),
  step: draftStep,
  /** What the applicant may do now (the domain's availableEvents): the list's buttons. */
  events: z.array(applicationEvent),
  /** Paid for: certificates and the seal are made, or being made (证书与印章). */
  production: z.boolean(),
  /** Left the CA: the 邮寄信息 cell shows how. */
  delivered: z.boolean(),
  bankTransfer: bankTransfer.nullable(),
  /** Paid: production waits for the applicant's 确认印章. */
  sealAwaited: z.boolean(),
  /** 新办 or 续期 (of `renewsSerial`). */
  kind: applicationKind,
  kindLabel: z.string(),
  renewsSerial: z.string().nullable(),
  /** 即将到期 / 已过期 of the unit certificate this application made, until it is renewed. */
  expiry: expiryNotice.nullable(),
  /** 发票: how the invoice stands, once one is asked for. */
  invoice: invoiceSummary.nullable(),
  createdAt: z.string(),
});
export type ApplicationSummary = z.infer<typeof applicationSummary>;
export const applicationList = z.object({ items: z.array(applicationSummary) });

export const attachmentSlot = z.object({
  kind: z.enum(attachmentKinds),
  label: z.string(),
  hint: z.string().nullable(),
  uploaded: z
    .object({ id: z.string(), name: z.string(), sizeBytes: z.number(), width: z.number().nullable(), height: z.number().nullable() })
    .nullable(),
});
export type AttachmentSlot = z.infer<typeof attachmentSlot>;
export type UploadedAttachment = NonNullable<AttachmentSlot['uploaded']>;

/** An item the reviewer returned (待修改): `attachment:<kind>` or `field:operator|organisation|project|invoice|delivery`. */
export const returnedItem = z.object({ item: z.string(), reason: z.string(), label: z.string() });
export type ReturnedItemView = z.infer<typeof returnedItem>;

export const contractKind = z.enum(['sign', 'read']);
export type ContractKind = z.infer<typeof contractKind>;

export const applicationView = z.object({
  id: z.string(),
  number: z.string(),
  status: applicationStatus,
  statusLabel: z.string(),
  step: draftStep,
  events: z.array(applicationEvent),
  /** A 草稿, or a 待修改's returned items: the wizard (or the returned mode) opens. */
  editable: z.boolean(),
  /** The steps this applicant type walks, in order (the wizard draws these). */
  steps: z.array(draftStep),
  kind: applicationKind,
  kindLabel: z.string(),
  /** 续期: the certificate renewed, the unit's data as verified last time, and the fields changed. */
  renewal: z
    .object({
      renewsSerial: z.string().nullable(),
      previous: z.object({
        orgName: z.string(),
        uscc: z.string(),
        legalRepresentative: z.string(),
        operatorName: z.string(),
        operatorIdNumber: z.string(),
        applicationNumber: z.string(),
      }),
      changed: z.array(unitField),
    })
    .nullable(),
  applicantType,
  applicantTypeLabel: z.string(),
  operator: z.object({ name: z.string(), idNumberMasked: z.string(), phoneMasked: z.string() }),
  organisation: z
    .object({
      name: z.string(),
      uscc: z.string().nullable(),
      legalRepresentative: z.string().nullable(),
      registryOutcome: z.enum(['match', 'not_found', 'lagging']).nullable(),
    })
    .nullable(),
  manualReview: z.boolean(),
  project: z.object({ id: z.string(), name: z.string() }).nullable(),
  invoice: invoiceView.nullable(),
  delivery: deliveryView.nullable(),
  amount: z.string(),
  /** 服务年限 paid for; the certificate is valid this long. */
  termYears: z.number(),
  baseAttachments: z.array(attachmentSlot),
  projectAttachments: z.array(attachmentSlot),
  /** Empty unless the status is 待修改. */
  returnedItems: z.array(returnedItem),
  contractAcceptances: z.array(z.object({ kind: contractKind, version: z.number(), at: z.string() })),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
});
export type ApplicationView = z.infer<typeof applicationView>;

export const operatorVerified = z.object({ id: z.string(), number: z.string(), message: z.string() });
export type OperatorVerified = z.infer<typeof operatorVerified>;

/** 企业认证: 企业不存在 is an answer, not an error — the application continues as a 事业单位. */
export const organisationOutcome = z.object({ outcome: z.enum(['match', 'not_found', 'lagging']), applicantType, message: z.string() });
export type OrganisationOutcome = z.infer<typeof organisationOutcome>;

/** The e-contract to read: its text and the version and hash the acceptance sends back. */
export const contractText = z.object({ version: z.number(), title: z.string(), text: z.string(), sha256: z.string() });
export type ContractText = z.infer<typeof contractText>;

/** 续期 created: the new draft. */
export const renewalStarted = z.object({ id: z.string(), number: z.string(), message: z.string() });

/** The furthest step reached, after a step is done. */
export const stepReached = z.object({ step: draftStep });

export const attachmentUploaded = z.object({
  id: z.string(),
  kind: z.string(),
  sizeBytes: z.number(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  message: z.string(),
});
export type AttachmentUploaded = z.infer<typeof attachmentUploaded>;
