/**
 * Payments' pure rules: the remittance code a bank transfer carries in its memo, WeChat Pay order
 * numbers, and matching a bank statement's lines to the transfers waiting for 财务.
 */
import { z } from 'zod';

export const paymentMethodLabels = { bank_transfer: '银行汇款', wechat: '微信支付' } as const;
export type PaymentMethod = keyof typeof paymentMethodLabels;

export const paymentStatusLabels = {
  open: '待支付',
  submitted: '待确认到账',
  rejected: '已驳回',
  paid: '已支付',
  closed: '已关闭',
  duplicate: '重复支付（待退款）',
  refunded: '已退款',
} as const;
export type PaymentStatus = keyof typeof paymentStatusLabels;

/** Crockford's base32 without the letters people misread (I, L, O, U). */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * `HK` + 8 characters: short enough to type into a bank's memo field, 40 bits so that guessing
 * another order's code is hopeless; uniqueness is the database's job.
 */
export function remittanceCode(random: Uint8Array): string {
  if (random.length < 5) throw new Error('remittanceCode needs 5 random bytes');
  let bits = 0n;
  for (const b of random.subarray(0, 5)) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 8; i++) {
    out = ALPHABET[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return `HK${out}`;
}

/** Finds a remittance code in free text (a memo), tolerating spaces, lower case and O/I typed for 0/1. */
export function findRemittanceCode(text: string): string | undefined {
  const cleaned = text.toUpperCase().replace(/[\s-]/g, '');
  const m = /HK([0-9A-Z]{8})/.exec(cleaned);
  if (!m) return undefined;
  return `HK${m[1]!.replace(/O/g, '0').replace(/[IL]/g, '1')}`;
}

/** WeChat Pay's out_trade_no: 6–32 of [A-Za-z0-9_-|*]; one per attempt, since an expired order is closed for good. */
export function outTradeNo(applicationNumber: string, attempt: number): string {
  const n = `${applicationNumber}W${attempt}`;
  if (!/^[A-Za-z0-9_\-|*]{6,32}$/.test(n)) throw new Error(`bad out_trade_no ${n}`);
  return n;
}

/** Parses an amount in 元 as a bank statement writes it ("1,950.00", "195", "195.5") into fen. */
export function yuanToFen(text: string): number | undefined {
  const t = text.replace(/[,，\s¥￥元]/g, '');
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return undefined;
  const [whole, frac = ''] = t.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

export const statementLineSchema = z.object({
  line: z.number().int(),
  date: z.string(),
  amountFen: z.number().int(),
  payer: z.string(),
  memo: z.string(),
});
export type StatementLine = z.infer<typeof statementLineSchema>;

export interface OpenTransfer {
  paymentId: string;
  remittanceCode: string;
  amountFen: number;
}

export type LineOutcome =
  | { line: StatementLine; result: 'matched'; paymentId: string }
  | { line: StatementLine; result: 'amount_mismatch'; paymentId: string; expectedFen: number }
  | { line: StatementLine; result: 'no_code' | 'unknown_code' | 'duplicate_line' };

/**
 * Matches each credit line to a waiting transfer by remittance code AND exact amount. Anything
 * else is left for 财务 to match by hand: a wrong amount is never confirmed automatically.
 */
export function matchStatement(lines: readonly StatementLine[], open: readonly OpenTransfer[]): LineOutcome[] {
  const byCode = new Map(open.map((o) => [o.remittanceCode, o]));
  const used = new Set<string>();
  return lines.map((line): LineOutcome => {
    const code = findRemittanceCode(line.memo) ?? findRemittanceCode(line.payer);
    if (!code) return { line, result: 'no_code' };
    const transfer = byCode.get(code);
    if (!transfer) return { line, result: 'unknown_code' };
    if (used.has(transfer.paymentId)) return { line, result: 'duplicate_line' };
    if (transfer.amountFen !== line.amountFen) {
      return { line, result: 'amount_mismatch', paymentId: transfer.paymentId, expectedFen: transfer.amountFen };
    }
    used.add(transfer.paymentId);
    return { line, result: 'matched', paymentId: transfer.paymentId };
  });
}
