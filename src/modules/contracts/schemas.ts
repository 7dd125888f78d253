/** contracts' answers for the 管理员 (the service contract's versions), as zod schemas: see src/http/contract.ts. */
import { z } from 'zod';

export const contractTemplate = z.object({ version: z.number(), title: z.string(), body: z.string(), createdAt: z.string() });
export type ContractTemplateView = z.infer<typeof contractTemplate>;
export const contractTemplateAnswer = z.object({ template: contractTemplate });

export const contractVersion = z.object({
  version: z.number(),
  title: z.string(),
  createdAt: z.string(),
  /** Acceptances recorded against this version. */
  acceptances: z.number(),
  current: z.boolean(),
});
export type ContractVersion = z.infer<typeof contractVersion>;

/** A placeholder a contract body may use, with a sample value for the preview. */
export const placeholder = z.object({ name: z.string(), label: z.string(), sample: z.string() });
export type Placeholder = z.infer<typeof placeholder>;
export const contractVersions = z.object({ versions: z.array(contractVersion), placeholders: z.array(placeholder) });
