import { describe, expect, it } from 'vitest';
import { bankAndAccount, describeBuyerProblems, invoiceBuyerProblems, normalizeInvoiceBuyer, type InvoiceBuyer } from './invoice-buyer.ts';

// Built with the GB 32100 check characters (providers/registry/fixtures.ts buildUscc).
const USCC = '91150105MA0N2Q5X1J';

const special: InvoiceBuyer = {
  name: '内蒙古草原云数据有限公司',
  taxNumber: USCC,
  address: '内蒙古自治区呼和浩特市赛罕区腾飞路 9 号',
  phone: '0471-6661234',
  bank: '中国银行呼和浩特分行',
  account: '1502 0112 3456 7890',
};

const fields = (kind: 'normal' | 'special', buyer: InvoiceBuyer) => invoiceBuyerProblems(kind, buyer).map((p) => p.field);

describe('invoiceBuyerProblems', () => {
  it('accepts a 普票 buyer with a name and a valid 统一社会信用代码', () => {
    expect(invoiceBuyerProblems('normal', { name: '内蒙古草原云数据有限公司', taxNumber: USCC })).toEqual([]);
    // Lower case and surrounding spaces are what people type; the code is the same.
    expect(invoiceBuyerProblems('normal', { name: ' 内蒙古草原云数据有限公司 ', taxNumber: ` ${USCC.toLowerCase()} ` })).toEqual([]);
  });

  it('accepts a 专票 buyer with 地址、电话、开户行及账号', () => {
    expect(invoiceBuyerProblems('special', special)).toEqual([]);
    expect(invoiceBuyerProblems('special', { ...special, phone: '13800138000' })).toEqual([]);
  });

  it('refuses a 税号 that breaks the USCC rule, saying why in Chinese', () => {
    const wrongCheck = invoiceBuyerProblems('normal', { name: '某公司', taxNumber: '91150105MA0N2Q5X1K' });
    expect(wrongCheck).toEqual([{ field: 'taxNumber', message: '购买方纳税人识别号有误：统一社会信用代码校验位不正确，请核对后重新输入' }]);
    expect(invoiceBuyerProblems('normal', { name: '某公司', taxNumber: '91150105MA0N2Q5X1' })[0]?.message).toBe(
      '购买方纳税人识别号有误：统一社会信用代码应为18位',
    );
    // I, O, S, V and Z are not in the USCC alphabet.
    expect(invoiceBuyerProblems('normal', { name: '某公司', taxNumber: '91150105MA0N2Q5XIJ' })[0]?.message).toBe(
      '购买方纳税人识别号有误：统一社会信用代码含有无效字符',
    );
    // The older 15- and 20-character numbers are not 统一社会信用代码.
    expect(fields('normal', { name: '某公司', taxNumber: '150105123456789' })).toEqual(['taxNumber']);
  });

  it('requires a name and a 税号 for either kind', () => {
    expect(invoiceBuyerProblems('normal', { name: '  ', taxNumber: '' })).toEqual([
      { field: 'name', message: '请填写购买方名称（发票抬头）' },
      { field: 'taxNumber', message: '请填写购买方纳税人识别号（统一社会信用代码）' },
    ]);
    expect(fields('normal', { name: '公'.repeat(101), taxNumber: USCC })).toEqual(['name']);
  });

  it('refuses a 专票 without address, phone, bank or account, one message each', () => {
    const problems = invoiceBuyerProblems('special', { name: special.name, taxNumber: USCC, address: ' ', bank: '' });
    expect(problems).toEqual([
      { field: 'address', message: '开具增值税专用发票须填写购买方地址' },
      { field: 'phone', message: '开具增值税专用发票须填写购买方电话' },
      { field: 'bank', message: '开具增值税专用发票须填写购买方开户行' },
      { field: 'account', message: '开具增值税专用发票须填写购买方银行账号' },
    ]);
    expect(describeBuyerProblems(problems)).toBe(
      '开具增值税专用发票须填写购买方地址；开具增值税专用发票须填写购买方电话；开具增值税专用发票须填写购买方开户行；开具增值税专用发票须填写购买方银行账号',
    );
    // The same buyer is fine for a 普票.
    expect(invoiceBuyerProblems('normal', { name: special.name, taxNumber: USCC, address: ' ', bank: '' })).toEqual([]);
  });

  it('checks the phone and account formats and the platform’s length limits', () => {
    expect(fields('special', { ...special, phone: '6661234' })).toEqual(['phone']);
    expect(fields('special', { ...special, account: '1502-0112' })).toEqual(['account']);
    expect(fields('special', { ...special, account: '1234567' })).toEqual(['account']);
    expect(fields('special', { ...special, address: '地'.repeat(89) })).toEqual(['address']); // 89 + 12 > 100
    expect(fields('special', { ...special, address: '地'.repeat(88) })).toEqual([]);
    expect(fields('special', { ...special, bank: '行'.repeat(84) })).toEqual(['bank']); // 84 + 1 + 16 > 100
    // A 普票 buyer who gave a phone anyway gets it checked too.
    expect(fields('normal', { name: '某公司', taxNumber: USCC, phone: 'abc' })).toEqual(['phone']);
  });
});

describe('normalizeInvoiceBuyer and bankAndAccount', () => {
  it('trims, upper-cases the 税号, takes spaces out of phone and account and drops empty fields', () => {
    expect(normalizeInvoiceBuyer({ name: ' 某  公司 ', taxNumber: ' 91150105ma0n2q5x1j', address: '', phone: ' 0471 6661234 ', account: '1502 0112' })).toEqual({
      name: '某 公司',
      taxNumber: USCC,
      phone: '04716661234',
      account: '15020112',
    });
  });

  it('writes 开户行及账号 as one text', () => {
    expect(bankAndAccount(normalizeInvoiceBuyer(special))).toBe('中国银行呼和浩特分行 1502011234567890');
    expect(bankAndAccount({})).toBe('');
  });
});
