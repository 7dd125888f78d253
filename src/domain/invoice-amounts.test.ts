import { describe, expect, it } from 'vitest';
import {
  TAX_TOLERANCE_FEN,
  formatTaxRate,
  negateAmounts,
  parseTaxRate,
  parseYuanText,
  percentTaxRate,
  splitTaxIncluded,
  taxWithinTolerance,
  uppercaseYuan,
  yuanText,
} from './invoice-amounts.ts';

describe('splitTaxIncluded', () => {
  it('splits 160 元 at 6 % into 金额 150.94 and 税额 9.06', () => {
    expect(splitTaxIncluded(16000, 600)).toEqual({ totalFen: 16000, amountFen: 15094, taxFen: 906 });
  });

  it('rounds 金额 half away from zero and gives the rest to 税额', () => {
    // 19500 / 1.06 = 18396.226… → 18396; 13 / 1.06 = 12.264… → 12; 53 / 1.06 = 50.0 exactly.
    expect(splitTaxIncluded(19500, 600)).toEqual({ totalFen: 19500, amountFen: 18396, taxFen: 1104 });
    expect(splitTaxIncluded(13, 600)).toEqual({ totalFen: 13, amountFen: 12, taxFen: 1 });
    expect(splitTaxIncluded(53, 600)).toEqual({ totalFen: 53, amountFen: 50, taxFen: 3 });
    // 8 / 1.06 = 7.547 → 8, 税额 0.
    expect(splitTaxIncluded(8, 600)).toEqual({ totalFen: 8, amountFen: 8, taxFen: 0 });
    // Exact halves (at rates made up for the arithmetic): 63 / 1.2 = 52.5 → 53; -52.5 → -53.
    expect(splitTaxIncluded(63, 2000)).toEqual({ totalFen: 63, amountFen: 53, taxFen: 10 });
    expect(splitTaxIncluded(-63, 2000)).toEqual({ totalFen: -63, amountFen: -53, taxFen: -10 });
    expect(splitTaxIncluded(63, 2600)).toEqual({ totalFen: 63, amountFen: 50, taxFen: 13 });
  });

  it('keeps the parts adding up to the total at every rate CAs meet', () => {
    for (const bp of [0, 100, 150, 300, 500, 600, 900, 1300]) {
      for (const total of [1, 99, 100, 16000, 19500, 123457, 99_999_999]) {
        const { amountFen, taxFen } = splitTaxIncluded(total, bp);
        expect(amountFen + taxFen).toBe(total);
        expect(taxWithinTolerance(amountFen, taxFen, bp)).toBe(true);
      }
    }
  });

  it('reverses a blue invoice exactly for a red one', () => {
    const blue = splitTaxIncluded(19500, 600);
    expect(splitTaxIncluded(-19500, 600)).toEqual(negateAmounts(blue));
    expect(negateAmounts(blue)).toEqual({ totalFen: -19500, amountFen: -18396, taxFen: -1104 });
    expect(splitTaxIncluded(0, 600)).toEqual({ totalFen: 0, amountFen: 0, taxFen: 0 });
  });

  it('refuses amounts that are not whole fen and rates out of range', () => {
    expect(() => splitTaxIncluded(160.5, 600)).toThrow(/integer/);
    expect(() => splitTaxIncluded(16000, 10_000)).toThrow(/basis points/);
    expect(() => splitTaxIncluded(16000, 0.06)).toThrow(/basis points/);
  });
});

describe('taxWithinTolerance', () => {
  it('accepts 税额 within 0.06 元 of 金额 × 税率 and refuses beyond', () => {
    // 15094 × 6 % = 905.64
    expect(taxWithinTolerance(15094, 906, 600)).toBe(true);
    expect(taxWithinTolerance(15094, 905, 600)).toBe(true);
    expect(taxWithinTolerance(15094, 905 + TAX_TOLERANCE_FEN, 600)).toBe(true); // 911: 5.36 fen off
    expect(taxWithinTolerance(15094, 912, 600)).toBe(false); // 6.36 fen off
    expect(taxWithinTolerance(15094, 899, 600)).toBe(false); // 6.64 fen off
    expect(taxWithinTolerance(-15094, -906, 600)).toBe(true);
    expect(taxWithinTolerance(-15094, 906, 600)).toBe(false);
  });
});

describe('tax rates as text', () => {
  it('parses the decimal fraction the configuration and the platform use', () => {
    expect(parseTaxRate('0.06')).toBe(600);
    expect(parseTaxRate('0.13')).toBe(1300);
    expect(parseTaxRate('0.015')).toBe(150);
    expect(parseTaxRate('0')).toBe(0);
    expect(parseTaxRate(' 0.09 ')).toBe(900);
    for (const bad of ['6%', '1', '0.06%', '.06', '0.123456', '-0.06', 'abc', '']) expect(parseTaxRate(bad)).toBeUndefined();
  });

  it('formats it back for the wire and for print', () => {
    expect([600, 1300, 150, 0, 5].map(formatTaxRate)).toEqual(['0.06', '0.13', '0.015', '0', '0.0005']);
    expect([600, 1300, 150, 0].map(percentTaxRate)).toEqual(['6%', '13%', '1.5%', '0%']);
    for (const text of ['0.06', '0.015', '0.13', '0']) expect(formatTaxRate(parseTaxRate(text)!)).toBe(text);
  });
});

describe('amounts as text', () => {
  it('writes and reads the platform’s decimal strings exactly', () => {
    expect(yuanText(16000)).toBe('160.00');
    expect(yuanText(-906)).toBe('-9.06');
    expect(parseYuanText('160.00')).toBe(16000);
    expect(parseYuanText('-9.06')).toBe(-906);
    expect(parseYuanText('150.9')).toBe(15090);
    expect(parseYuanText('-0.00')).toBe(0);
    expect(parseYuanText('160')).toBe(16000);
    for (const bad of ['1.234', '', '¥160', '1e3', '160.']) expect(parseYuanText(bad)).toBeUndefined();
  });
});

describe('uppercaseYuan (价税合计（大写）)', () => {
  it('writes 人民币 as invoices print it', () => {
    expect(uppercaseYuan(16000)).toBe('壹佰陆拾圆整');
    expect(uppercaseYuan(19500)).toBe('壹佰玖拾伍圆整');
    expect(uppercaseYuan(15094)).toBe('壹佰伍拾圆玖角肆分');
    expect(uppercaseYuan(101000)).toBe('壹仟零壹拾圆整');
    expect(uppercaseYuan(100050)).toBe('壹仟圆伍角整');
    expect(uppercaseYuan(1000506)).toBe('壹万零伍圆零陆分');
    expect(uppercaseYuan(6)).toBe('陆分');
    expect(uppercaseYuan(0)).toBe('零圆整');
  });

  it('marks a red invoice’s negative total', () => {
    expect(uppercaseYuan(-16000)).toBe('负壹佰陆拾圆整');
  });
});
