import { describe, expect, it } from 'vitest';
import { changeRefusal, lossReportRefusal, registryLagsChange, reissueRefusal, successorValidity, type ConcernedCertificate } from './aftersales.ts';
import { transition } from './application.ts';

const now = new Date('2026-06-01T00:00:00Z');
const valid: ConcernedCertificate = { status: 'valid', revocationReason: null, notAfter: new Date('2027-01-01T00:00:00Z'), profile: 'unitSigning', succeeded: false, inProgress: false };
const lost: ConcernedCertificate = { ...valid, status: 'revoked', revocationReason: 'keyCompromise' };

describe('变更, 挂失, 补办', () => {
  it('changes only a valid, newest signing certificate with nothing under way', () => {
    expect(changeRefusal(valid, now)).toBeUndefined();
    expect(changeRefusal(lost, now)).toBe('revoked');
    expect(changeRefusal({ ...valid, succeeded: true }, now)).toBe('succeeded');
    expect(changeRefusal({ ...valid, inProgress: true }, now)).toBe('in_progress');
    expect(changeRefusal({ ...valid, profile: 'unitEncryption' }, now)).toBe('not_signing');
    expect(changeRefusal(valid, new Date('2027-01-01T00:00:00Z'))).toBe('expired');
  });

  it('reissues only after 挂失 (revoked keyCompromise), once, before the old end', () => {
    expect(reissueRefusal(valid, now)).toBe('not_reported');
    expect(reissueRefusal({ ...lost, revocationReason: 'affiliationChanged' }, now)).toBe('not_reported');
    expect(reissueRefusal(lost, now)).toBeUndefined();
    expect(reissueRefusal({ ...lost, succeeded: true }, now)).toBe('succeeded');
    expect(lossReportRefusal(valid, now)).toBeUndefined();
    expect(lossReportRefusal(lost, now)).toBe('revoked');
  });

  it('lets 变更 go on when the register lags only in the fields said to have changed, never the credit code', () => {
    expect(registryLagsChange(['orgName'], ['orgName'])).toBe(true);
    expect(registryLagsChange(['orgName', 'legalRepresentative'], ['orgName'])).toBe(false);
    expect(registryLagsChange(['uscc'], ['orgName'])).toBe(false);
    expect(registryLagsChange([], ['orgName'])).toBe(false);
  });

  it('keeps the old end, and skips payment only where the fee is 0', () => {
    expect(successorValidity(valid.notAfter, now)).toEqual({ notBefore: now, notAfter: valid.notAfter });
    const system = { kind: 'system', id: 'fee-waived' } as const;
    expect(transition({ status: 'approved', applicantId: 'a', kind: 'change', priceFen: 0 }, 'waive_fee', system, now).to).toBe('paid');
    expect(() => transition({ status: 'approved', applicantId: 'a', kind: 'reissue', priceFen: 100_00 }, 'waive_fee', system, now)).toThrow('该申请需要支付费用');
  });
});
