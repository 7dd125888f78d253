/**
 * The amounts on an invoice, in integer fen: 价税合计 (what was paid) split into 金额 (tax
 * excluded) and 税额 at a rate, the tolerance the e-invoice platform allows between 金额 × 税率 and
 * 税额, the wire form of amounts and rates, and 价税合计（大写）. Pure; both the e-invoice adapter
 * and its simulator use it, so what one sends is what the other checks.
 *
 * Rates are integer basis points (1/10000): 6 % is 600, 1.5 % is 150. No floating point touches
 * money: 0.06 is parsed from its text, never from a JavaScript number.
 */
import Nzh from 'nzh';
import { formatYuan } from './money.ts';

export interface InvoiceAmounts {
  /** 价税合计: tax included. */
  totalFen: number;
  /** 金额: tax excluded. */
  amountFen: number;
  /** 税额. */
  taxFen: number;
}

const BP = 10_000;

/** The most a single 税率 can be on a 数电票 line (the 13 % standard rate), with room to spare. */
const MAX_RATE_BP = 9_999;

/**
 * "0.06" → 600, "0.015" → 150, "0" → 0: a decimal fraction with at most four places, below 1.
 * Undefined for anything else ("6%", "0.06%", "1", "0.123456").
 */
export function parseTaxRate(text: string): number | undefined {
  const m = /^0(?:\.(\d{1,4}))?$/.exec(text.trim());
  if (!m) return undefined;
  const bp = Number((m[1] ?? '').padEnd(4, '0'));
  return bp <= MAX_RATE_BP ? bp : undefined;
}

/** 600 → "0.06", 150 → "0.015", 0 → "0": the taxRate field as the platform takes it. */
export function formatTaxRate(bp: number): string {
  assertRate(bp);
  if (bp === 0) return '0';
  return `0.${String(bp).padStart(4, '0').replace(/0+$/, '')}`;
}

/** 600 → "6%", 150 → "1.5%": as printed in the 税率/征收率 column. */
export function percentTaxRate(bp: number): string {
  assertRate(bp);
  const whole = Math.floor(bp / 100);
  const rest = String(bp % 100).padStart(2, '0').replace(/0+$/, '');
  return rest === '' ? `${whole}%` : `${whole}.${rest}%`;
}

function assertRate(bp: number): void {
  if (!Number.isInteger(bp) || bp < 0 || bp > MAX_RATE_BP) throw new Error(`tax rate must be 0–9999 basis points: ${bp}`);
}

function assertFen(fen: number, what: string): void {
  if (!Number.isSafeInteger(fen)) throw new Error(`${what} in fen must be an integer: ${fen}`);
}

/**
 * 价税合计 → 金额 and 税额 at `bp`. Rounding rule: 金额 = 价税合计 ÷ (1 + 税率), rounded to the fen
 * half away from zero; 税额 = 价税合计 − 金额, so the two always add up to what was paid. This is
 * how a tax-included price (withTaxFlag 1) is split; the resulting 税额 differs from 金额 × 税率 by
 * less than one fen times (1 + 税率), well inside the platform's tolerance. A negative total (a
 * 红字发票) splits into exactly the negatives of the positive total's parts.
 *
 * 16000 fen at 6 %: 16000 ÷ 1.06 = 15094.34 → 金额 15094, 税额 906.
 */
export function splitTaxIncluded(totalFen: number, bp: number): InvoiceAmounts {
  assertFen(totalFen, 'total');
  assertRate(bp);
  const sign = totalFen < 0 ? -1 : 1;
  const abs = Math.abs(totalFen);
  // abs × 10000 stays an exact integer for any amount below 9 × 10¹¹ fen.
  const numerator = abs * BP;
  const denominator = BP + bp;
  let amount = Math.floor(numerator / denominator);
  if (2 * (numerator - amount * denominator) >= denominator) amount += 1;
  const amountFen = sign * amount || 0;
  return { totalFen, amountFen, taxFen: totalFen - amountFen || 0 };
}

/** The platform accepts 税额 within 0.06 元 of 金额 × 税率 ("税额允许误差为 0.06"). */
export const TAX_TOLERANCE_FEN = 6;

/** Whether 税额 is within the platform's tolerance of 金额 × 税率. */
export function taxWithinTolerance(amountFen: number, taxFen: number, bp: number): boolean {
  assertFen(amountFen, 'amount');
  assertFen(taxFen, 'tax');
  assertRate(bp);
  return Math.abs(amountFen * bp - taxFen * BP) <= TAX_TOLERANCE_FEN * BP;
}

/** The same amounts with the opposite sign: a 红字发票 reverses its blue invoice exactly. */
export function negateAmounts(a: InvoiceAmounts): InvoiceAmounts {
  return { totalFen: -a.totalFen || 0, amountFen: -a.amountFen || 0, taxFen: -a.taxFen || 0 };
}

/** 16000 → "160.00", -906 → "-9.06": amounts on the wire and in print (without ¥). */
export function yuanText(fen: number): string {
  return formatYuan(fen);
}

/**
 * "160.00", "-9.06", "160", "160.5" → fen, exactly; undefined for anything else. The platform
 * answers amounts as decimal strings; this is the only way back to fen.
 */
export function parseYuanText(text: string): number | undefined {
  const m = /^(-)?(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -fen || 0 : fen;
}

/**
 * 价税合计（大写） as invoices write it: 16000 → 壹佰陆拾圆整, 15094 → 壹佰伍拾圆玖角肆分,
 * 100050 → 壹仟圆伍角整, 6 → 陆分 (nzh's 人民币 wording, which follows the 支付结算办法 rules for 零
 * and 整, with 圆 for 元 as invoices print it); a negative amount is prefixed 负.
 */
export function uppercaseYuan(fen: number): string {
  assertFen(fen, 'amount');
  const words = Nzh.cn
    .toMoney(formatYuan(Math.abs(fen)), { outSymbol: false, forceZheng: true })
    .replaceAll('元', '圆');
  return fen < 0 ? `负${words}` : words;
}
