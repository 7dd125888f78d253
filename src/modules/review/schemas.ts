/** review's answers (the 审核员's queue, detail and decision), as zod schemas: see src/http/contract.ts. */
import { z } from 'zod';
import { applicantType, applicationEvent, applicationStatus, deliveryView, invoiceView, statusChange } from '../applications/schemas.ts';

const registryOutcome = z.enum(['match', 'not_found', 'lagging']).nullable();
const decisionKind = z.enum(['approve', 'return', 'first_approval']);

export const reviewQueueItem = z.object({
  id: z.string(),
  number: z.string(),
  orgName: z.string().nullable(),
  uscc: z.string().nullable(),
  applicantType,
  applicantTypeLabel: z.string(),
  projectName: z.string().nullable(),
  status: applicationStatus,
  statusLabel: z.string(),
  manualReview: z.boolean(),
  registryOutcome,
  /** The last decision, if any: 初审通过 (first_approval) shows as 待复核. */
  latestDecision: z.string().nullable(),
  submittedAt: z.string().nullable(),
  /** 企业不存在, 需人工核验, 待复核. */
  flags: z.array(z.string()),
});
export type ReviewQueueItem = z.infer<typeof reviewQueueItem>;
export const reviewQueue = z.object({ items: z.array(reviewQueueItem) });

export const reviewAttachment = z.object({
  id: z.string(),
  kind: z.string(),
  label: z.string(),
  width: z.number(),
  height: z.number(),
  sizeBytes: z.number(),
});
export type ReviewAttachment = z.infer<typeof reviewAttachment>;

export const decisionItem = z.object({ item: z.string(), reason: z.string(), label: z.string() });
export type DecisionItem = z.infer<typeof decisionItem>;

export const reviewDetail = z.object({
  id: z.string(),
  number: z.string(),
  status: applicationStatus,
  statusLabel: z.string(),
  /** What this 审核员 may do now: approve / return while 待审核. */
  events: z.array(applicationEvent),
  applicantType,
  applicantTypeLabel: z.string(),
  manualReview: z.boolean(),
  registryOutcome,
  operator: z.object({ name: z.string(), idNumber: z.string(), phone: z.string() }),
  organisation: z.object({ name: z.string().nullable(), uscc: z.string().nullable(), legalRepresentative: z.string().nullable() }),
  projectId: z.string().nullable(),
  projectName: z.string().nullable(),
  /** Four eyes: 审核通过 takes two different reviewers on this project. */
  requiresSecondReview: z.boolean(),
  invoice: invoiceView.nullable(),
  delivery: deliveryView.nullable(),
  amount: z.string(),
  termYears: z.number(),
  submittedAt: z.string().nullable(),
  attachments: z.array(reviewAttachment),
  previousDecision: z
    .object({ decision: decisionKind, reviewer: z.string().nullable(), at: z.string(), items: z.array(decisionItem) })
    .nullable(),
  /** What changed since the last decision (null before the first). */
  changedSinceLastReview: z.array(z.string()).nullable(),
  /** Other open applications of the same unit. */
  duplicates: z.array(z.object({ id: z.string(), number: z.string(), status: applicationStatus, statusLabel: z.string() })),
  /** The unit's certificates still valid. */
  validCertificates: z.array(z.object({ serialHex: z.string(), notAfter: z.string(), applicationId: z.string().nullable() })),
  /** 续期: the certificate renewed, the unit's data as verified last time, and what the holder changed. */
  renewal: z
    .object({
      kindLabel: z.string(),
      renewsSerial: z.string().nullable(),
      previousCertificate: z.object({ serialHex: z.string(), notBefore: z.string(), notAfter: z.string() }).nullable(),
      previous: z.object({
        orgName: z.string(),
        uscc: z.string(),
        legalRepresentative: z.string(),
        operatorName: z.string(),
        operatorIdNumber: z.string(),
        applicationNumber: z.string(),
      }),
      changed: z.array(z.object({ field: z.string(), label: z.string() })),
      operatorChanged: z.boolean(),
      /** 变更: what the holder said changed, and whether the register still showed the old data. */
      claimed: z.array(z.object({ item: z.string(), label: z.string() })),
      registryLagging: z.boolean(),
    })
    .nullable(),
});
export type ReviewDetail = z.infer<typeof reviewDetail>;

/** 审核通过 on a four-eyes project is first (初审通过) or final. */
export const reviewDecided = statusChange.extend({ stage: z.enum(['first', 'final']).nullable() });
export type ReviewDecided = z.infer<typeof reviewDecided>;
