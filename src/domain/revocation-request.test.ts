import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { applicantRevocationReasonLabels, applicantRevocationReasons, decideRevocationRequest } from './revocation-request.ts';

describe('revocation requests', () => {
  it('moves a pending request to approved or rejected', () => {
    expect(decideRevocationRequest('pending', 'approve')).toBe('approved');
    expect(decideRevocationRequest('pending', 'reject')).toBe('rejected');
  });

  it('never decides a request twice', () => {
    for (const status of ['approved', 'rejected'] as const) {
      for (const event of ['approve', 'reject'] as const) {
        const attempt = () => decideRevocationRequest(status, event);
        expect(attempt).toThrow(AppError);
        expect(attempt).toThrow(/已处理/);
      }
    }
  });

  it('offers holders only reasons they can know of, each labelled in Chinese', () => {
    expect(applicantRevocationReasons).not.toContain('cACompromise');
    for (const r of applicantRevocationReasons) expect(applicantRevocationReasonLabels[r]).toMatch(/[\u4e00-\u9fa5]/);
  });
});
