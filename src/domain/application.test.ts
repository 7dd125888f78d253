import { describe, expect, it } from 'vitest';
import { advanceStep, applicationStatuses, assertStepReached, assertWork, availableEvents, inGroup, mayWork, stepOnPath, stepsOf, transition } from './application.ts';
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
    expect(advanceStep('enterprise', 'identity', 'identity')).toBe('contract');
    expect(advanceStep('enterprise', 'contract', 'contract')).toBe('attachments');
    expect(advanceStep('enterprise', 'form', 'contract')).toBe('form');
    expect(advanceStep('enterprise', 'project_attachments', 'project_attachments')).toBe('project_attachments');
  });
  it('take a 事业单位 from the contract straight to the form, and all uploads last (the manual’s order)', () => {
    expect(stepsOf.institution).toEqual(['identity', 'contract', 'form', 'project_attachments']);
    expect(advanceStep('institution', 'contract', 'contract')).toBe('form');
    expect(advanceStep('institution', 'form', 'form')).toBe('project_attachments');
  });
  it('fall back to a step both paths share when a draft becomes a 事业单位', () => {
    expect(stepOnPath('institution', 'contract_review')).toBe('contract');
    expect(stepOnPath('institution', 'attachments')).toBe('contract');
    expect(stepOnPath('institution', 'form')).toBe('form');
    expect(stepOnPath('enterprise', 'contract_review')).toBe('contract_review');
  });
  it('refuse a step not reached yet', () => {
    expect(() => assertStepReached('contract', 'identity')).not.toThrow();
    expect(refusal(() => assertStepReached('contract', 'form')).message).toBe('请先完成前面的步骤');
  });
});

describe('after 资料审核通过: payment, production, receipt', () => {
  const finance: Principal = { kind: 'staff', id: 's2', username: 'wang', roles: ['finance'] };
  const producer: Principal = { kind: 'staff', id: 's3', username: 'zhao', roles: ['producer'] };
  const system = { kind: 'system' as const, id: 'wechatpay' };
  const app = (status: Parameters<typeof transition>[0]['status']) => ({ status, applicantId: 'a1' });

  it('walks 银行汇款: 资料审核通过 → 待确认到账 → 已支付, or back when 财务 rejects', () => {
    expect(transition(app('approved'), 'submit_voucher', owner, at).to).toBe('awaiting_confirmation');
    expect(transition(app('awaiting_confirmation'), 'confirm_payment', finance, at).to).toBe('paid');
    expect(transition(app('awaiting_confirmation'), 'reject_payment', finance, at).to).toBe('approved');
  });

  it('lets only 财务 confirm money and only the system settle 微信支付', () => {
    expect(refusal(() => transition(app('awaiting_confirmation'), 'confirm_payment', reviewer, at)).status).toBe(403);
    expect(refusal(() => transition(app('awaiting_confirmation'), 'confirm_payment', owner, at)).status).toBe(403);
    expect(transition(app('approved'), 'pay_online', system, at).to).toBe('paid');
    expect(refusal(() => transition(app('approved'), 'pay_online', owner, at)).status).toBe(403);
    expect(refusal(() => transition(app('approved'), 'approve', system, at)).status).toBe(403);
  });

  it('refuses a second payment of a paid application', () => {
    expect(refusal(() => transition(app('paid'), 'pay_online', system, at)).message).toBe('当前状态为“已支付”，不能微信支付成功');
  });

  it('makes, posts or hands over, and completes', () => {
    expect(transition(app('paid'), 'start_production', producer, at).to).toBe('in_production');
    expect(transition(app('in_production'), 'ship', producer, at).to).toBe('shipped');
    expect(transition(app('in_production'), 'ready_for_pickup', producer, at).to).toBe('awaiting_pickup');
    expect(transition(app('shipped'), 'confirm_receipt', owner, at).to).toBe('completed');
    expect(transition(app('awaiting_pickup'), 'hand_over', producer, at).to).toBe('completed');
    // At the counter only: a posted order is the applicant's (or the system's) to confirm.
    expect(refusal(() => transition(app('shipped'), 'hand_over', producer, at)).message).toBe('当前状态为“已邮寄”，不能现场领取');
    expect(refusal(() => transition(app('shipped'), 'confirm_receipt', producer, at)).status).toBe(403);
    expect(transition(app('shipped'), 'confirm_receipt', system, at).to).toBe('completed');
    expect(refusal(() => transition(app('paid'), 'start_production', finance, at)).status).toBe(403);
  });

  it('refunds a paid application before production, not after', () => {
    expect(transition(app('paid'), 'refund', owner, at).to).toBe('refunded');
    expect(transition(app('paid'), 'refund', finance, at).to).toBe('refunded');
    expect(refusal(() => transition(app('in_production'), 'refund', owner, at)).status).toBe(409);
  });
});

describe('availableEvents(), work rules and status groups', () => {
  const producer: Principal = { kind: 'staff', id: 's3', username: 'zhao', roles: ['producer'] };
  it('offers each person exactly the events the rules let them fire now', () => {
    expect(availableEvents({ status: 'draft', applicantId: 'a1' }, owner)).toEqual(['submit', 'cancel']);
    expect(availableEvents({ status: 'approved', applicantId: 'a1' }, owner)).toEqual(['cancel', 'submit_voucher']);
    expect(availableEvents({ status: 'approved', applicantId: 'a1' }, stranger)).toEqual([]);
    expect(availableEvents({ status: 'pending_review', applicantId: 'a1' }, reviewer)).toEqual(['approve', 'return']);
    expect(availableEvents({ status: 'in_production', applicantId: 'a1' }, producer)).toEqual(['ship', 'ready_for_pickup']);
    expect(availableEvents({ status: 'shipped', applicantId: 'a1' }, owner)).toEqual(['confirm_receipt']);
    expect(availableEvents({ status: 'paid', applicantId: 'a1' }, owner)).toEqual(['refund']);
    // Every event offered is one transition() accepts.
    for (const status of applicationStatuses) {
      for (const actor of [owner, reviewer, producer]) {
        for (const event of availableEvents({ status, applicantId: 'a1' }, actor)) {
          expect(() => transition({ status, applicantId: 'a1' }, event, actor, at)).not.toThrow();
        }
      }
    }
  });
  it('says in which statuses work without a status change is done', () => {
    expect(mayWork('needs_changes', 'edit')).toBe(true);
    expect(mayWork('pending_review', 'edit')).toBe(false);
    expect(mayWork('approved', 'pay')).toBe(true);
    expect(refusal(() => assertWork('paid', 'issue_certificate')).message).toBe('当前状态为“已支付”，只有“制证中”的申请才能签发证书');
    expect(refusal(() => assertWork('shipped', 'approve_seal')).message).toBe('当前状态为“已邮寄”，不能确认印章');
    expect(inGroup('paid', 'sealAwaited')).toBe(true);
    expect(inGroup('shipped', 'delivered')).toBe(true);
    expect(inGroup('approved', 'production')).toBe(false);
  });
});
