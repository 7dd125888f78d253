import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { assertDeliveryAllows, autoCompleteBefore, normaliseTrackingNumber } from './shipping.ts';

const post = { method: 'post', courier: 'EMS', recipient: '张三', phone: '13800001111', province: '内蒙古自治区', city: '呼和浩特市', district: '赛罕区', address: '1 号' } as const;

describe('运单号', () => {
  it('accepts the couriers’ shapes, spaces and lower case included', () => {
    expect(normaliseTrackingNumber('EMS', 'ea 123456789 cn')).toBe('EA123456789CN');
    expect(normaliseTrackingNumber('EMS', '1234567890123')).toBe('1234567890123');
    expect(normaliseTrackingNumber('SF', 'sf1234567890123')).toBe('SF1234567890123');
    expect(normaliseTrackingNumber('SF', '123456789012')).toBe('123456789012');
  });

  it('refuses another courier’s number or anything else, saying what it should be', () => {
    expect(() => normaliseTrackingNumber('EMS', 'SF1234567890123')).toThrow('EMS运单号格式不正确，应为EA123456789CN 或 13 位数字');
    expect(() => normaliseTrackingNumber('SF', 'EA123456789CN')).toThrow('顺丰运单号格式不正确');
    expect(() => normaliseTrackingNumber('SF', '13800001111')).toThrow(AppError);
    expect(() => normaliseTrackingNumber('EMS', '  ')).toThrow('请填写运单号');
  });
});

describe('领取方式', () => {
  it('posts only to an address the applicant gave', () => {
    expect(() => assertDeliveryAllows({ method: 'pickup' }, 'post', undefined)).toThrow('不能邮寄');
    expect(() => assertDeliveryAllows(post, 'post', undefined)).not.toThrow();
  });

  it('turns a 邮寄 order into 自取 only with a reason', () => {
    expect(() => assertDeliveryAllows(post, 'pickup', undefined)).toThrow('须填写原因');
    expect(() => assertDeliveryAllows(post, 'pickup', '申请人来电要求自取')).not.toThrow();
    expect(() => assertDeliveryAllows({ method: 'pickup' }, 'pickup', undefined)).not.toThrow();
  });
});

describe('自动确认收货', () => {
  it('counts whole days back from now', () => {
    expect(autoCompleteBefore(new Date('2026-03-16T00:00:00Z'), 15).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });
});
