import { describe, expect, it } from 'vitest';
import { findRemittanceCode, matchStatement, outTradeNo, remittanceCode, yuanToFen, type StatementLine } from './payment.ts';

describe('remittance codes', () => {
  it('are HK + 8 characters people can type, and are found again in a sloppy memo', () => {
    const code = remittanceCode(Uint8Array.of(1, 2, 3, 4, 5));
    expect(code).toMatch(/^HK[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(findRemittanceCode(`单位证书 ${code.toLowerCase().slice(0, 5)} ${code.toLowerCase().slice(5)}`)).toBe(code);
    expect(findRemittanceCode('HK0000000O'.replace('0', 'O'))).toBe('HK00000000');
    expect(findRemittanceCode('货款')).toBeUndefined();
  });
});

describe('amounts', () => {
  it('reads 元 as written on statements into fen', () => {
    expect(yuanToFen('195.00')).toBe(19500);
    expect(yuanToFen('1,950.5')).toBe(195050);
    expect(yuanToFen('¥160')).toBe(16000);
    expect(yuanToFen('-195')).toBeUndefined();
    expect(yuanToFen('195.001')).toBeUndefined();
  });
  it('makes WeChat order numbers per attempt', () => {
    expect(outTradeNo('CD20261125000001', 2)).toBe('CD20261125000001W2');
  });
});

describe('matchStatement()', () => {
  const line = (n: number, memo: string, amountFen: number): StatementLine => ({ line: n, date: '2026-11-25', amountFen, payer: '某公司', memo });
  const open = [
    { paymentId: 'p1', remittanceCode: 'HKAAAAAAAA', amountFen: 19500 },
    { paymentId: 'p2', remittanceCode: 'HKBBBBBBBB', amountFen: 16000 },
  ];
  it('matches by code and exact amount, and leaves the rest for 财务', () => {
    const out = matchStatement(
      [line(1, 'HKAAAAAAAA', 19500), line(2, 'hk bbbbbbbb', 19500), line(3, '货款', 19500), line(4, 'HKCCCCCCCC', 100), line(5, 'HKAAAAAAAA', 19500)],
      open,
    );
    expect(out.map((o) => o.result)).toEqual(['matched', 'amount_mismatch', 'no_code', 'unknown_code', 'duplicate_line']);
  });
});
