/** notifications' answers for the 管理员 (SMS templates), as zod schemas: see src/http/contract.ts. */
import { z } from 'zod';

export const smsVersion = z.object({ code: z.string(), version: z.number(), body: z.string(), createdAt: z.string() });
export type SmsVersion = z.infer<typeof smsVersion>;
export const smsVersionAnswer = z.object({ template: smsVersion });
export const smsHistory = z.object({ versions: z.array(smsVersion) });

export const smsTemplateSummary = z.object({
  code: z.string(),
  label: z.string(),
  variables: z.array(z.object({ name: z.string(), sample: z.string() })),
  current: smsVersion.nullable(),
});
export type SmsTemplateSummary = z.infer<typeof smsTemplateSummary>;
/** The 【签名】 the gateway adds, and each template with its current text. */
export const smsTemplates = z.object({ signName: z.string(), templates: z.array(smsTemplateSummary) });
