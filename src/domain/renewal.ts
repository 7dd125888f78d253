/**
 * 续期: when a certificate may be renewed, what the renewal costs, how long the new certificate
 * runs, and whether a renewal needs a reviewer. Pure: the caller brings the time and the rows.
 *
 * A renewal is an application of kind `renewal` on the one pipeline (application.ts); it names the
 * certificate it renews, and the certificate it produces names that one as its predecessor.
 */
import type { ChangeItem } from './aftersales.ts';
import type { ApplicantType, ApplicationStatus } from './application.ts';

export { applicationKindLabels, applicationKinds, type ApplicationKind } from './aftersales.ts';

export interface RenewalPolicy {
  /** 续期 is offered from this many days before expiry … */
  opensDaysBefore: number;
  /** … until this many days after it; later it is a new application. */
  graceDaysAfter: number;
}

export const defaultRenewalPolicy: RenewalPolicy = { opensDaysBefore: 90, graceDaysAfter: 365 };

const DAY_MS = 86_400_000;

/** Whole days from `now` to `notAfter`, rounded up (a certificate ending tonight has 1 day left); negative once expired. */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.ceil((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/**
 * The first moment after `now` at which what `now` says of the certificate's end may read
 * otherwise: its days left (and with them 即将到期, the 续期 window), or 已过期 itself. A cached
 * answer that shows these is good until then.
 */
export function daysLeftChangesAt(notAfter: Date, now: Date): Date {
  const rest = (((notAfter.getTime() - now.getTime()) % DAY_MS) + DAY_MS) % DAY_MS;
  // On a whole day exactly (the end itself among them), the next millisecond may already differ.
  return new Date(now.getTime() + (rest === 0 ? 1 : rest));
}

/** What the holder's list says about a certificate's end. */
export type ExpiryState = 'valid' | 'expiring' | 'expired';
export const expiryLabels: Record<Exclude<ExpiryState, 'valid'>, string> = { expiring: '即将到期', expired: '已过期' };

export function expiryState(notAfter: Date, now: Date, policy: RenewalPolicy): ExpiryState {
  if (notAfter.getTime() <= now.getTime()) return 'expired';
  return daysLeft(notAfter, now) <= policy.opensDaysBefore ? 'expiring' : 'valid';
}

export interface RenewableCertificate {
  status: 'valid' | 'revoked';
  notAfter: Date;
  /** Only a unit signing certificate renews (an SM2 pair's encryption half renews with it). */
  profile: string;
  /** A successor exists: this certificate was renewed already. */
  renewed: boolean;
  /** A renewal of it is under way (not cancelled or refunded). */
  renewalInProgress: boolean;
}

/** Why a certificate offers no 续期, in the holder's words; 'new_application' means 重新申请. */
export type RenewalRefusal = 'not_renewable' | 'revoked' | 'renewed' | 'in_progress' | 'too_early' | 'new_application';

export const renewalRefusalMessages: Record<RenewalRefusal, string> = {
  not_renewable: '该证书不能续期（请对单位签名证书办理续期）',
  revoked: '该证书已吊销，不能续期，请重新申请',
  renewed: '该证书已续期，请对最新的证书办理续期',
  in_progress: '该证书已有进行中的续期申请，请在“我的申请”中继续办理',
  too_early: '证书到期前90天内才能续期',
  new_application: '证书过期已超过续期期限，请重新申请（新办）',
};

/** Undefined when the certificate may be renewed now; otherwise why not. */
export function renewalRefusal(cert: RenewableCertificate, now: Date, policy: RenewalPolicy): RenewalRefusal | undefined {
  if (cert.profile !== 'unitSigning') return 'not_renewable';
  if (cert.status === 'revoked') return 'revoked';
  if (cert.renewed) return 'renewed';
  if (cert.renewalInProgress) return 'in_progress';
  const left = daysLeft(cert.notAfter, now);
  if (left > policy.opensDaysBefore) return 'too_early';
  if (-left > policy.graceDaysAfter) return 'new_application';
  return undefined;
}

/** The refusal's text with the policy's own numbers. */
export function renewalRefusalMessage(refusal: RenewalRefusal, policy: RenewalPolicy): string {
  if (refusal === 'too_early') return `证书到期前${policy.opensDaysBefore}天内才能续期`;
  if (refusal === 'new_application') return `证书过期已超过${policy.graceDaysAfter}天，不能续期，请重新申请（新办）`;
  return renewalRefusalMessages[refusal];
}

/** Every year of a renewal at the renewal price (次年续费160元/年). */
export function renewalPriceFen(renewalFen: number, years: number): number {
  if (!Number.isInteger(years) || years < 1) throw new Error(`term must be a whole number of years: ${years}`);
  return renewalFen * years;
}

/**
 * When the new certificate starts: renewed before expiry, at the old one's end (the holder loses
 * no day paid for); renewed after it, at issuance.
 */
export function renewalStart(predecessorNotAfter: Date, issuedAt: Date): Date {
  return predecessorNotAfter.getTime() > issuedAt.getTime() ? predecessorNotAfter : issuedAt;
}

/** The unit's data a renewal confirms against what was verified last time. */
export interface UnitData {
  orgName: string;
  uscc: string;
  legalRepresentative: string;
}

export const unitFieldLabels: Record<keyof UnitData, string> = {
  orgName: '单位名称',
  uscc: '统一社会信用代码',
  legalRepresentative: '法定代表人',
};

/** The fields that differ from last time (whitespace and letter case of the code ignored). */
export function changedUnitFields(previous: UnitData, current: UnitData): (keyof UnitData)[] {
  const norm = (field: keyof UnitData, v: string) => (field === 'uscc' ? v.trim().toUpperCase() : v.trim());
  return (Object.keys(unitFieldLabels) as (keyof UnitData)[]).filter((f) => norm(f, previous[f]) !== norm(f, current[f]));
}

/**
 * Who decides a submitted renewal. Straight to 资料审核通过 only when nothing changed, the registry
 * confirmed the enterprise, the 经办人 is the one verified last time and the project allows it;
 * a 事业单位 (企业不存在) always goes to a reviewer.
 */
export function renewalReview(r: {
  changed: readonly string[];
  operatorChanged: boolean;
  applicantType: ApplicantType;
  registryOutcome: 'match' | 'not_found' | 'lagging' | null;
  projectAutoReview: boolean;
}): 'auto' | 'reviewer' {
  if (r.applicantType !== 'enterprise' || r.registryOutcome !== 'match') return 'reviewer';
  if (r.changed.length > 0 || r.operatorChanged) return 'reviewer';
  return r.projectAutoReview ? 'auto' : 'reviewer';
}

/** A renewal asks for the new licence scan only when the unit's registered data changed. */
export function renewalNeedsLicence(changed: readonly string[]): boolean {
  return changed.length > 0;
}

/** Kept with a renewal: the data verified last time, what the holder changed, and the registry's answer. */
export interface RenewalEvidence {
  previous: UnitData & { operatorName: string; operatorIdNumber: string; applicationNumber: string };
  changed: (keyof UnitData)[];
  operatorChanged: boolean;
  /** 变更: what the holder said changed (单位名称, 法定代表人, 经办人, 地址). */
  claimed?: ChangeItem[];
  /** 变更: the registry still showed the old data at 企业认证 (the reviewer checks the proof). */
  registryLagging?: boolean;
}

/**
 * 到期提醒: the threshold (days before expiry, RENEWAL_REMINDER_DAYS in any order) whose reminder
 * is owed to a certificate with `left` days (daysLeft) and reminders already sent at `sent`, or
 * undefined. Only the smallest threshold reached counts: a job that ran late, or a certificate
 * issued for fewer days than the first threshold, gets one reminder, never one per threshold it
 * passed; and one sent at that threshold or a smaller one settles it (another instance whose clock
 * lags, a threshold added later). Nothing once the certificate is a day past its end (left < 0):
 * the 0-day reminder, on the day it ends, is the last.
 */
export function reminderDue(thresholds: readonly number[], left: number, sent: readonly number[] = []): number | undefined {
  if (left < 0) return undefined;
  const reached = thresholds.filter((t) => t >= left);
  if (reached.length === 0) return undefined;
  const due = Math.min(...reached);
  return sent.some((s) => s <= due) ? undefined : due;
}

/**
 * A renewal in these statuses does not stop the reminders: a 草稿 left half-done renews nothing
 * (the reminder brings the holder back to it), a cancelled or refunded one never will. Once
 * submitted, the renewal is under way and its own notices (审核通过 …) take over.
 */
export const renewalStatusesKeepingReminders = ['draft', 'cancelled', 'refunded'] as const satisfies readonly ApplicationStatus[];
