/** catalogue's answers for the 管理员 (证书用途 and prices), as zod schemas: see src/http/contract.ts. */
import { z } from 'zod';

export const adminProject = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  extraAttachments: z.object({ enterprise: z.array(z.string()), institution: z.array(z.string()) }),
  sortOrder: z.number(),
  active: z.boolean(),
  requiresSecondReview: z.boolean(),
  renewalAutoReview: z.boolean(),
});
export type AdminProject = z.infer<typeof adminProject>;
export const adminProjectAnswer = z.object({ project: adminProject });

/** An attachment a project may add, with its label for each applicant type. */
export const attachmentKindOption = z.object({ kind: z.string(), enterprise: z.string(), institution: z.string() });
export type AttachmentKindOption = z.infer<typeof attachmentKindOption>;
export const adminProjectList = z.object({ projects: z.array(adminProject), attachmentKinds: z.array(attachmentKindOption) });

export { priceKinds, type PriceKind } from '../../domain/aftersales.ts';
import { priceKinds } from '../../domain/aftersales.ts';

export const price = z.object({
  id: z.number(),
  kind: z.enum(priceKinds),
  kindLabel: z.string(),
  amountFen: z.number(),
  amountYuan: z.string(),
  effectiveFrom: z.string(),
  state: z.enum(['current', 'scheduled', 'past']),
  stateLabel: z.string(),
});
export type Price = z.infer<typeof price>;
export const priceList = z.object({ prices: z.array(price) });
export const priceAnswer = z.object({ price });
