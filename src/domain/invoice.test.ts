import { describe, expect, it } from 'vitest';
import { buyerEditable, formOf, maskEmail, requestOf, invoiceTransition, ledgerTotals } from './invoice.ts';
import { AppError } from './errors.ts';

describe('invoice lifecycle', () => {
  it('goes pending → issuing → issued → reversed, and failed back to pending', () => {
    expect(invoiceTransition('pending', 'submit')).toBe('issuing');
    expect(invoiceTransition('issuing', 'issue')).toBe('issued');
    expect(invoiceTransition('issued', 'reverse')).toBe('reversed');
    expect(invoiceTransition('issuing', 'fail')).toBe('failed');
    expect(invoiceTransition('failed', 'retry')).toBe('pending');
    expect(invoiceTransition('pending', 'cancel')).toBe('cancelled');
  });

  it('refuses in words staff read: an issued invoice is not retried, a pending one not reversed', () => {
    expect(() => invoiceTransition('issued', 'retry')).toThrow('该张发票为“已开具”，不能重新开具');
    const err = (() => {
      try {
        invoiceTransition('pending', 'reverse');
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(err?.status).toBe(409);
    expect(err?.message).toBe('该张发票为“待开具”，不能红冲');
  });

  it('lets the applicant change the buyer only until the platform has it', () => {
    expect(buyerEditable(undefined)).toBe(true);
    expect(buyerEditable('pending')).toBe(true);
    expect(buyerEditable('failed')).toBe(true);
    expect(buyerEditable('issuing')).toBe(false);
    expect(buyerEditable('issued')).toBe(false);
  });

  it('keeps the 专票 fields between the form and the request', () => {
    const form = { wanted: true as const, type: 'special' as const, title: '某公司', taxNumber: '91150100MA0N000001', email: 'a@b.cn', address: '地址', phone: '0471-1234567', bank: '银行', account: '12345678' };
    expect(requestOf(form).buyer).toEqual({ name: '某公司', taxNumber: '91150100MA0N000001', address: '地址', phone: '0471-1234567', bank: '银行', account: '12345678' });
    expect(formOf(requestOf(form))).toEqual(form);
    const normal = { wanted: true as const, type: 'normal' as const, title: '某公司', taxNumber: '91150100MA0N000001', email: 'a@b.cn' };
    expect(requestOf(normal)).toEqual({ type: 'normal', buyer: { name: '某公司', taxNumber: '91150100MA0N000001' }, email: 'a@b.cn' });
    expect(formOf(requestOf(normal))).toEqual(normal);
  });

  it('totals blue positive and red negative', () => {
    expect(ledgerTotals([{ totalFen: 19500, amountFen: 18396, taxFen: 1104 }, { totalFen: -19500, amountFen: -18396, taxFen: -1104 }, { totalFen: 16000, amountFen: 15094, taxFen: 906 }])).toEqual({
      totalFen: 16000,
      amountFen: 15094,
      taxFen: 906,
      count: 3,
    });
  });
});

describe('maskEmail', () => {
  it('keeps the first two characters and the domain', () => {
    expect(maskEmail('zhangsan@example.com')).toBe('zh***@example.com');
    expect(maskEmail('a@b.cn')).toBe('***@b.cn');
    expect(maskEmail('not-an-address')).toBe('***');
  });
});
