/** auth's answers (the applicant's login and session), as zod schemas: see src/http/contract.ts. */
import { z } from 'zod';

export const applicantSession = z.object({
  principal: z.object({ kind: z.literal('applicant'), id: z.string(), phoneMasked: z.string() }),
  /** Sent back in x-csrf-token on every unsafe request; kept in memory only. */
  csrfToken: z.string(),
});
export type ApplicantSession = z.infer<typeof applicantSession>;

/** 获取验证码: how long until the next code may be asked for. */
export const smsCodeSent = z.object({ cooldownSeconds: z.number() });
export type SmsCodeSent = z.infer<typeof smsCodeSent>;
