import { describe, expect, it } from 'vitest';
import { transition, availableEvents, stepsOf, advanceStep } from './application.ts';
import {
  changedUnitFields,
  daysLeft,
  daysLeftChangesAt,
  defaultRenewalPolicy as policy,
  expiryState,
  renewalPriceFen,
  renewalRefusal,
  renewalReview,
  renewalStart,
  reminderDue,
  type RenewableCertificate,
} from './renewal.ts';

const day = 86_400_000;
const end = new Date('2027-12-01T00:00:00Z');
const at = (offsetDays: number) => new Date(end.getTime() + offsetDays * day);
const cert = (over: Partial<RenewableCertificate> = {}): RenewableCertificate => ({
  status: 'valid',
  notAfter: end,
  profile: 'unitSigning',
  renewed: false,
  renewalInProgress: false,
  ...over,
});

describe('the renewal window', () => {
  it('opens 90 days before expiry and closes 365 days after it', () => {
    expect(renewalRefusal(cert(), at(-100), policy)).toBe('too_early');
    expect(renewalRefusal(cert(), at(-90), policy)).toBeUndefined();
    expect(renewalRefusal(cert(), at(-60), policy)).toBeUndefined();
    expect(renewalRefusal(cert(), at(10), policy)).toBeUndefined();
    expect(renewalRefusal(cert(), at(365), policy)).toBeUndefined();
    expect(renewalRefusal(cert(), at(400), policy)).toBe('new_application');
  });

  it('offers nothing for a revoked, renewed or encryption certificate, or one being renewed', () => {
    expect(renewalRefusal(cert({ status: 'revoked' }), at(-30), policy)).toBe('revoked');
    expect(renewalRefusal(cert({ renewed: true }), at(-30), policy)).toBe('renewed');
    expect(renewalRefusal(cert({ renewalInProgress: true }), at(-30), policy)).toBe('in_progress');
    expect(renewalRefusal(cert({ profile: 'unitEncryption' }), at(-30), policy)).toBe('not_renewable');
  });

  it('counts days left and says 即将到期 / 已过期', () => {
    expect(daysLeft(end, at(-60))).toBe(60);
    expect(daysLeft(end, new Date(end.getTime() - 3_600_000))).toBe(1);
    expect(expiryState(end, at(-100), policy)).toBe('valid');
    expect(expiryState(end, at(-30), policy)).toBe('expiring');
    expect(expiryState(end, at(1), policy)).toBe('expired');
  });
});

describe('when what is said of the end changes', () => {
  it('is the next moment the days left read otherwise, or the millisecond after a whole day', () => {
    for (const offset of [-400.25, -1, -0.5, 0, 0.3, 1, 60.75, 89.999, 400]) {
      const now = at(offset);
      const next = daysLeftChangesAt(end, now);
      expect(next.getTime()).toBeGreaterThan(now.getTime());
      const before = new Date(next.getTime() - 1);
      // Nothing differs until then …
      expect(daysLeft(end, before)).toBe(daysLeft(end, now));
      expect(expiryState(end, before, policy)).toBe(expiryState(end, now, policy));
      expect(renewalRefusal(cert(), before, policy)).toBe(renewalRefusal(cert(), now, policy));
      expect(before.getTime() < end.getTime()).toBe(now.getTime() < end.getTime());
      expect(before.getTime() <= end.getTime()).toBe(now.getTime() <= end.getTime());
    }
    // … and at a whole day the days left change a day later, but 已过期 the millisecond after the end.
    expect(daysLeftChangesAt(end, end).getTime()).toBe(end.getTime() + 1);
    expect(daysLeftChangesAt(end, at(-0.5))).toEqual(end);
    expect(daysLeft(end, daysLeftChangesAt(end, at(-2.5)))).toBe(2);
  });
});

describe('renewal price and validity', () => {
  it('prices every year at the renewal price', () => {
    expect(renewalPriceFen(160_00, 1)).toBe(160_00);
    expect(renewalPriceFen(160_00, 3)).toBe(480_00);
    expect(() => renewalPriceFen(160_00, 0)).toThrow();
  });

  it('starts at the old end when renewed early, at issuance when late', () => {
    expect(renewalStart(end, at(-60))).toEqual(end);
    expect(renewalStart(end, at(10))).toEqual(at(10));
  });
});

describe('who reviews a renewal', () => {
  const base = { changed: [], operatorChanged: false, applicantType: 'enterprise' as const, registryOutcome: 'match' as const, projectAutoReview: true };
  it('approves an unchanged, confirmed enterprise on an auto-review project; else a reviewer', () => {
    expect(renewalReview(base)).toBe('auto');
    expect(renewalReview({ ...base, projectAutoReview: false })).toBe('reviewer');
    expect(renewalReview({ ...base, changed: ['legalRepresentative'] })).toBe('reviewer');
    expect(renewalReview({ ...base, operatorChanged: true })).toBe('reviewer');
    expect(renewalReview({ ...base, applicantType: 'institution', registryOutcome: 'not_found' })).toBe('reviewer');
  });

  it('names the changed fields, ignoring case and spaces of the code', () => {
    const prev = { orgName: '甲公司', uscc: '91150100MA0N000000', legalRepresentative: '王某' };
    expect(changedUnitFields(prev, { ...prev, uscc: ' 91150100ma0n000000 ' })).toEqual([]);
    expect(changedUnitFields(prev, { ...prev, legalRepresentative: '李某' })).toEqual(['legalRepresentative']);
  });
});

describe('renewal on the one state machine', () => {
  const holder = { kind: 'applicant' as const, id: 'a1', phone: '13800000000' };
  const system = { kind: 'system' as const, id: 'renewal' };
  it('walks the short path and has its own events, refused on a first application', () => {
    expect(stepsOf.renewal).toEqual(['identity', 'contract', 'form', 'project_attachments']);
    expect(advanceStep('renewal', 'contract', 'contract')).toBe('form');
    const renewal = { status: 'pending_review' as const, applicantId: 'a1', kind: 'renewal' as const };
    expect(transition(renewal, 'auto_approve', system, new Date()).to).toBe('approved');
    expect(() => transition({ ...renewal, kind: 'new' }, 'auto_approve', system, new Date())).toThrow(/不能自动审核通过/);
    expect(availableEvents({ status: 'paid', applicantId: 'a1', kind: 'renewal' }, holder)).toContain('issue_online');
    expect(availableEvents({ status: 'paid', applicantId: 'a1' }, holder)).not.toContain('issue_online');
  });
});

describe('到期提醒 thresholds', () => {
  const days = [90, 30, 7, 0];
  it('owes the reminder of each threshold as it is reached, and nothing in between', () => {
    expect(reminderDue(days, 120)).toBeUndefined();
    expect(reminderDue(days, 91)).toBeUndefined();
    expect(reminderDue(days, 90)).toBe(90);
    expect(reminderDue(days, 60, [90])).toBeUndefined();
    expect(reminderDue(days, 30, [90])).toBe(30);
    expect(reminderDue(days, 7, [90, 30])).toBe(7);
    expect(reminderDue(days, 1, [90, 30, 7])).toBeUndefined();
    expect(reminderDue(days, 0, [90, 30, 7])).toBe(0);
    expect(reminderDue(days, 0, [90, 30, 7, 0])).toBeUndefined();
  });

  it('sends only the smallest threshold reached when the job ran late, once', () => {
    expect(reminderDue(days, 5)).toBe(7);
    expect(reminderDue(days, 5, [7])).toBeUndefined();
    expect(reminderDue(days, 25, [])).toBe(30);
    // A certificate issued for 20 days gets the 30-day reminder, saying 20 days.
    expect(reminderDue(days, 20)).toBe(30);
  });

  it('is settled by a reminder at a smaller threshold (a lagging instance, a threshold added later)', () => {
    expect(reminderDue(days, 8, [90, 7])).toBeUndefined();
    expect(reminderDue([90, 60, 30, 7, 0], 45, [90, 30])).toBeUndefined();
  });

  it('stops after the day of expiry, and reads the thresholds in any order', () => {
    expect(reminderDue(days, -1)).toBeUndefined();
    expect(reminderDue([90, 30, 7], -3)).toBeUndefined();
    expect(reminderDue([0, 7, 90, 30], 6)).toBe(7);
    expect(reminderDue([], 3)).toBeUndefined();
  });
});
