import { describe, expect, it } from 'vitest';
import { advanceStep, assertStepReached, transition } from './application.ts';
import { refusal } from './testing.ts';
import type { Principal } from './principal.ts';

const owner: Principal = { kind: 'applicant', id: 'a1', phone: '13800000000' };
const stranger: Principal = { kind: 'applicant', id: 'a2', phone: '13900000000' };
const reviewer: Principal = { kind: 'staff', id: 's1', username: 'li', roles: ['reviewer'] };
const at = new Date('2026-11-25T08:00:00Z');


describe('transition()', () => {
  it('submits a draft: 草稿 → 待审核', () => {
    expect(transition({ status: 'draft', applicantId: 'a1' }, 'submit', owner, at)).toEqual({
      event: 'submit',
      from: 'draft',
      to: 'pending_review',
      actor: owner,
      at,
    });
  });

  it('cancels a draft or an application waiting for review, nothing later', () => {
    expect(transition({ status: 'draft', applicantId: 'a1' }, 'cancel', owner, at).to).toBe('cancelled');
    expect(transition({ status: 'pending_review', applicantId: 'a1' }, 'cancel', owner, at).to).toBe('cancelled');
    const err = refusal(() => transition({ status: 'paid', applicantId: 'a1' }, 'cancel', owner, at));
    expect(err.status).toBe(409);
    expect(err.message).toBe('当前状态为“已支付”，不能取消');
  });

  it('refuses to submit twice', () => {
    expect(refusal(() => transition({ status: 'pending_review', applicantId: 'a1' }, 'submit', owner, at)).message).toBe(
      '当前状态为“待审核”，不能提交',
    );
  });

  it("treats another applicant's application as missing", () => {
    const err = refusal(() => transition({ status: 'draft', applicantId: 'a1' }, 'cancel', stranger, at));
    expect(err.status).toBe(404);
  });

  it('lets no staff member submit for an applicant', () => {
    expect(refusal(() => transition({ status: 'draft', applicantId: 'a1' }, 'submit', reviewer, at)).status).toBe(403);
  });
});

describe('draft steps', () => {
  it('move forward one at a time and never back', () => {
    expect(advanceStep('identity', 'identity')).toBe('contract');
    expect(advanceStep('form', 'contract')).toBe('form');
    expect(advanceStep('project_attachments', 'project_attachments')).toBe('project_attachments');
  });
  it('refuse a step not reached yet', () => {
    expect(() => assertStepReached('contract', 'identity')).not.toThrow();
    expect(refusal(() => assertStepReached('contract', 'form')).message).toBe('请先完成前面的步骤');
  });
});
