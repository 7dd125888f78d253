import { describe, expect, it } from 'vitest';
import { certificateTransition, paymentTransition, refundEventOf, refundMay, refundTransition } from './lifecycles.ts';
import { refusal } from './testing.ts';

describe('a payment attempt', () => {
  it('moves as bank transfers and WeChat orders do', () => {
    expect(paymentTransition('open', 'submit_voucher')).toBe('submitted');
    expect(paymentTransition('submitted', 'confirm')).toBe('paid');
    expect(paymentTransition('submitted', 'reject')).toBe('rejected');
    expect(paymentTransition('closed', 'settle')).toBe('paid');
    expect(paymentTransition('open', 'mark_duplicate')).toBe('duplicate');
    expect(paymentTransition('duplicate', 'refund')).toBe('refunded');
  });
  it('refuses in the words 财务 reads', () => {
    const err = refusal(() => paymentTransition('paid', 'reject'));
    expect(err.status).toBe(409);
    expect(err.message).toBe('该笔支付为“已支付”，不能驳回');
    expect(refusal(() => paymentTransition('rejected', 'confirm')).message).toBe('该笔支付为“已驳回”，不能确认到账');
  });
});

describe('a refund', () => {
  it('never steps back from success', () => {
    expect(refundTransition('pending', refundEventOf('PROCESSING'))).toBe('processing');
    expect(refundTransition('processing', refundEventOf('SUCCESS'))).toBe('succeeded');
    expect(refundMay('succeeded', 'fail')).toBe(false);
    expect(refundMay('succeeded', 'accept')).toBe(false);
    expect(refundTransition('failed', refundEventOf('ABNORMAL'))).toBe('failed');
    expect(refusal(() => refundTransition('succeeded', 'succeed')).message).toBe('该笔退款为“已退款”，不能完成退款');
  });
});

describe('a certificate', () => {
  it('is revoked once', () => {
    expect(certificateTransition('valid', 'revoke')).toBe('revoked');
    expect(refusal(() => certificateTransition('revoked', 'revoke')).message).toBe('该张证书为“已吊销”，不能吊销');
  });
});
