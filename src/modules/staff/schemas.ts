/** staff's answers (员工登录, the staff session, the 管理员's accounts), as zod schemas: see src/http/contract.ts. */
import { z } from 'zod';
import { staffRoles } from '../../domain/principal.ts';

const role = z.enum(staffRoles);

export const staffProfile = z.object({
  kind: z.literal('staff'),
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(role),
  roleLabels: z.array(z.string()),
});
export type StaffProfileView = z.infer<typeof staffProfile>;

export const staffSession = z.object({ principal: staffProfile, csrfToken: z.string() });
export type StaffSession = z.infer<typeof staffSession>;

/** After the password: bind an authenticator (first login) or give its code. */
export const passwordStep = z.discriminatedUnion('next', [
  z.object({ next: z.literal('enrol'), ticket: z.string(), otpauthUrl: z.string(), qrDataUrl: z.string() }),
  z.object({ next: z.literal('totp'), ticket: z.string() }),
]);
export type PasswordStep = z.infer<typeof passwordStep>;

export const staffAccount = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(role),
  roleLabels: z.array(z.string()),
  totpEnrolled: z.boolean(),
  disabled: z.boolean(),
  locked: z.boolean(),
  /** 正常, 待绑定动态验证码, 陌生来源登录受限 or 已停用. */
  statusLabel: z.string(),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
});
export type StaffAccount = z.infer<typeof staffAccount>;

export const staffAccountAnswer = z.object({ account: staffAccount });
export const staffAccountList = z.object({ accounts: z.array(staffAccount) });

/** The 管理员's notices of sustained failed logins on an account (throttle.ts). */
export const loginAlert = z.object({
  accountId: z.string(),
  username: z.string(),
  displayName: z.string(),
  since: z.string(),
  lastAt: z.string(),
  /** Failed attempts from unfamiliar sources (or from the one source that raised the notice). */
  failures: z.number(),
  /** Addresses they came from. */
  addresses: z.number(),
});
export type LoginAlert = z.infer<typeof loginAlert>;
export const loginAlertList = z.object({ alerts: z.array(loginAlert) });
export type LoginAlertList = z.infer<typeof loginAlertList>;
