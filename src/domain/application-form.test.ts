import { describe, expect, it } from 'vitest';
import { applicationFormSchema, describeDelivery } from './application-form.ts';
import { termPriceFen } from './money.ts';

const delivery = { method: 'post', courier: 'SF', recipient: '张三', phone: '13800001111', province: '内蒙古自治区', city: '包头市', district: '昆都仑区', address: '钢铁大街 7 号' };
const special = { wanted: true, type: 'special', title: '某公司', taxNumber: '91350100M000100Y43', email: 'a@b.cn', address: '包头市', phone: '0472-5123456', bank: '中国银行包头分行', account: '6217 0000 1234 5678' };

function firstMessage(input: unknown): string | undefined {
  const r = applicationFormSchema.safeParse(input);
  return r.success ? undefined : r.error.issues[0]?.message;
}

describe('the application form', () => {
  it('accepts a 专票 with bank details and strips spaces from the account', () => {
    const r = applicationFormSchema.parse({ projectId: 'p', invoice: special, delivery });
    expect(r.invoice.wanted && r.invoice.type === 'special' && r.invoice.account).toBe('6217000012345678');
  });

  it('names the missing field of a 专票', () => {
    const { bank: _bank, ...noBank } = special;
    expect(firstMessage({ projectId: 'p', invoice: noBank, delivery })).toBe('请填写开户行');
  });

  it('checks the tax number like a credit code', () => {
    expect(firstMessage({ projectId: 'p', invoice: { ...special, taxNumber: '91350100M000100Y44' }, delivery })).toContain('税号格式不正确');
  });

  it('wants a mobile number for the recipient', () => {
    expect(firstMessage({ projectId: 'p', invoice: { wanted: false }, delivery: { ...delivery, phone: '12345' } })).toBe('收件人手机号应为11位手机号码');
  });

  it('needs no address for 自取', () => {
    expect(firstMessage({ projectId: 'p', invoice: { wanted: false }, delivery: { method: 'pickup' } })).toBeUndefined();
    expect(describeDelivery({ method: 'pickup' }, '服务大厅')).toBe('自取：服务大厅');
    expect(describeDelivery(applicationFormSchema.parse({ projectId: 'p', invoice: { wanted: false }, delivery }).delivery, '')).toBe(
      '邮寄（顺丰）：内蒙古自治区包头市昆都仑区钢铁大街 7 号，张三，13800001111',
    );
  });
});

describe('服务年限', () => {
  const base = { projectId: 'seal', invoice: { wanted: false }, delivery: { method: 'pickup' } };
  it('defaults to one year and accepts 1–3', () => {
    expect(applicationFormSchema.parse(base).termYears).toBe(1);
    expect(applicationFormSchema.parse({ ...base, termYears: 3 }).termYears).toBe(3);
  });
  it('refuses other terms in Chinese', () => {
    for (const termYears of [0, 4, 1.5, '2']) {
      const r = applicationFormSchema.safeParse({ ...base, termYears });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toBe('服务年限只能选择 1 年、2 年或 3 年');
    }
  });
  it('prices the first year at the first price and each further year at the renewal price', () => {
    expect(termPriceFen(195_00, 160_00, 1)).toBe(195_00);
    expect(termPriceFen(195_00, 160_00, 3)).toBe(515_00);
    expect(() => termPriceFen(195_00, 160_00, 0)).toThrow();
  });
});
