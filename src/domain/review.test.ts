import { describe, expect, it } from 'vitest';
import { approvalStage, changedKeys, mayChange } from './review.ts';
import { refusal } from './testing.ts';

describe('approvalStage() — four eyes', () => {
  it('is final at once when the project needs one reviewer', () => {
    expect(approvalStage(false, undefined, 'a')).toBe('final');
    expect(approvalStage(false, { decision: 'first_approval', reviewerId: 'a' }, 'a')).toBe('final');
  });

  it('makes the first approval a 初审通过 and the second, by someone else, final', () => {
    expect(approvalStage(true, undefined, 'a')).toBe('first');
    expect(approvalStage(true, { decision: 'return', reviewerId: 'b' }, 'a')).toBe('first');
    expect(approvalStage(true, { decision: 'first_approval', reviewerId: 'a' }, 'b')).toBe('final');
  });

  it('refuses the first reviewer as the second', () => {
    expect(refusal(() => approvalStage(true, { decision: 'first_approval', reviewerId: 'a' }, 'a'))).toMatchObject({
      code: 'SECOND_REVIEWER_REQUIRED',
      status: 409,
    });
  });
});

describe('what changed since the last review', () => {
  it('names the keys whose values differ, whatever the key order inside', () => {
    expect(changedKeys({ a: { x: 1, y: 2 }, b: 1 }, { a: { y: 2, x: 1 }, b: 2, c: 3 })).toEqual(['b', 'c']);
  });

  it('lets the applicant change only a returned item', () => {
    const returned = [{ item: 'attachment:org_seal' as const, reason: '印章模糊' }];
    expect(mayChange('attachment:org_seal', returned)).toBe(true);
    expect(mayChange('field:invoice', returned)).toBe(false);
  });
});
