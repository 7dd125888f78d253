/**
 * The rules of staff accounts, free of I/O: what a username and a password must look like, which
 * role a word names, and which TOTP time step may be accepted (failed logins: login-throttle.ts).
 * The staff module feeds in what the database says and the current time.
 */
import { AppError } from './errors.ts';
import { staffRoleLabels, staffRoles, type StaffRole } from './principal.ts';
import { USERNAME_PATTERN, USERNAME_RULE, passwordProblem } from './staff-rules.ts';

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN, USERNAME_RULE } from './staff-rules.ts';

/** Throws the refusal a person should see, or returns when the password may be used. */
export function assertPasswordPolicy(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new AppError('PASSWORD_WEAK', problem);
}

/** Lower case so that "Li.Ming" and "li.ming" cannot be two accounts. */
export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

export function assertUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) throw new AppError('USERNAME_INVALID', USERNAME_RULE);
}

/** A role by its Chinese label (审核员) or its English key (reviewer); undefined when neither. */
export function parseStaffRole(word: string): StaffRole | undefined {
  const w = word.trim();
  const byKey = staffRoles.find((r) => r === w.toLowerCase());
  if (byKey) return byKey;
  return staffRoles.find((r) => staffRoleLabels[r] === w);
}

/** The known roles among what the database holds, in the canonical order, without repeats. */
export function knownRoles(stored: readonly string[]): StaffRole[] {
  return staffRoles.filter((r) => stored.includes(r));
}

export function roleLabels(roles: readonly StaffRole[]): string[] {
  return roles.map((r) => staffRoleLabels[r]);
}

// ── TOTP replay ──────────────────────────────────────────────────────────────────────────────

export type StepVerdict = { ok: true; step: number } | { ok: false; reason: 'wrong' | 'reused' };

/**
 * Which of the time steps a code matched may be accepted. RFC 6238 §5.2: a verifier must not
 * accept the same code twice; accepting only steps after the last accepted one also refuses an
 * older code seen after a newer one was used.
 */
export function acceptTotpStep(matchedSteps: readonly number[], lastAcceptedStep: number | undefined): StepVerdict {
  if (matchedSteps.length === 0) return { ok: false, reason: 'wrong' };
  const fresh = matchedSteps.filter((s) => lastAcceptedStep === undefined || s > lastAcceptedStep);
  const step = fresh.length > 0 ? Math.min(...fresh) : undefined;
  return step === undefined ? { ok: false, reason: 'reused' } : { ok: true, step };
}
