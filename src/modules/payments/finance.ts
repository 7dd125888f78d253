/**
 * 财务's other work: refunds (a bank transfer sent back by hand and marked 已退款; a duplicate
 * WeChat payment refunded through WeChat Pay) and importing a bank statement (CSV), whose credit
 * lines are matched to waiting vouchers by remittance code and exact amount.
 */
import { parse } from 'csv-parse/sync';
import type { Db } from '../../db/database.ts';
import { statusLabels, type ApplicationStatus } from '../../domain/application.ts';
import { AppError } from '../../domain/errors.ts';
import { formatYuan } from '../../domain/money.ts';
import { matchStatement, yuanToFen, type LineOutcome, type StatementLine } from '../../domain/payment.ts';
import * as apps from '../applications/repository.ts';
import { fireTransition } from '../applications/transitions.ts';
import * as repo from './repository.ts';
import type { PaymentsService, Staff } from './service.ts';
import type { WechatPayments } from './wechat.ts';

const HEADERS = {
  date: ['交易日期', '日期', '记账日期', 'date'],
  amount: ['贷方金额', '收入金额', '金额', 'amount'],
  payer: ['对方户名', '付款人', '对方账户名称', 'payer'],
  memo: ['摘要', '附言', '用途', '备注', 'memo'],
};

/** Reads a statement CSV whose header names its columns in any of the usual ways. */
export function parseStatement(csv: string): StatementLine[] {
  let rows: string[][];
  try {
    rows = parse(csv.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch {
    throw new AppError('STATEMENT_UNREADABLE', '对账单无法读取：请上传 CSV 格式（逗号分隔，首行为表头）', 400);
  }
  const [header, ...body] = rows;
  if (!header) throw new AppError('STATEMENT_EMPTY', '对账单为空', 400);
  const column = (names: string[]) => header.findIndex((h) => names.includes(h.trim().toLowerCase()) || names.includes(h.trim()));
  const idx = { date: column(HEADERS.date), amount: column(HEADERS.amount), payer: column(HEADERS.payer), memo: column(HEADERS.memo) };
  if (idx.amount < 0 || idx.memo < 0) {
    throw new AppError('STATEMENT_COLUMNS', '对账单缺少“金额（贷方金额）”或“摘要（附言）”列', 400);
  }
  if (body.length > 5000) throw new AppError('STATEMENT_TOO_LONG', '对账单一次最多导入 5000 行', 400);
  return body.flatMap((r, i) => {
    const amountFen = yuanToFen(r[idx.amount] ?? '');
    if (amountFen === undefined || amountFen === 0) return [];
    return [{ line: i + 2, date: r[idx.date] ?? '', amountFen, payer: r[idx.payer] ?? '', memo: r[idx.memo] ?? '' }];
  });
}

export function createFinance(db: Db, clock: () => Date, payments: PaymentsService, wechat: WechatPayments) {
  return {
    async refunds() {
      const rows = await repo.pendingRefunds(db);
      return rows.map((r) => ({
        id: r.refund.id,
        applicationId: r.refund.applicationId,
        number: r.number,
        orgName: r.orgName,
        amount: formatYuan(r.refund.amountFen),
        reason: r.refund.reason,
        kind: r.refund.kind,
        status: r.refund.status,
        createdAt: r.refund.createdAt.toISOString(),
      }));
    },

    /** 已退款: a bank refund sent back by hand, or a WeChat refund sent through WeChat Pay now. */
    async completeRefund(staff: Staff, refundId: string) {
      const refund = (await repo.refundsById(db, refundId))[0];
      if (!refund) throw new AppError('NOT_FOUND', '退款记录不存在', 404);
      const payment = await repo.findById(db, refund.paymentId);
      if (payment?.method === 'wechat') return wechat.refundThroughProvider(staff, refundId);
      return db.transaction(async (tx) => {
        const locked = await repo.lockRefund(tx, refundId);
        if (!locked || locked.status === 'succeeded') throw new AppError('REFUND_STATUS', '该笔退款已完成', 409);
        const now = clock();
        await repo.writeRefundStatus(tx, locked, 'succeed', { settledAt: now });
        const payment = await repo.lock(tx, locked.paymentId);
        if (payment) await repo.writeStatus(tx, payment, 'refund', { updatedAt: now });
        if (locked.kind !== 'cancel') return { status: 'paid' as const, statusLabel: statusLabels.paid };
        const app = await apps.lockById(tx, locked.applicationId);
        if (!app) throw new AppError('NOT_FOUND', '申请不存在', 404);
        const row = await fireTransition(tx, app, 'refund', staff, now, { refundId: locked.id, amountFen: locked.amountFen });
        await payments.refunded(tx, row);
        return { status: row.status, statusLabel: statusLabels[row.status] };
      });
    },

    /** Imports a statement: exact matches are confirmed (as 确认到账 by this 财务), the rest listed. */
    async importStatement(staff: Staff, csv: string) {
      const lines = parseStatement(csv);
      const waiting = await repo.byStatus(db, ['submitted'], 5000);
      const outcomes = matchStatement(
        lines,
        waiting.flatMap((w) => (w.payment.remittanceCode ? [{ paymentId: w.payment.id, remittanceCode: w.payment.remittanceCode, amountFen: w.payment.amountFen }] : [])),
      );
      const numbers = new Map(waiting.map((w) => [w.payment.id, w.number]));
      const results = [];
      for (const o of outcomes) {
        let result: LineOutcome['result'] | 'not_confirmed' | 'error' = o.result;
        if (o.result === 'matched') {
          try {
            await payments.confirm(staff, o.paymentId, 'statement');
          } catch (err) {
            result = err instanceof AppError ? 'not_confirmed' : 'error';
          }
        }
        results.push({
          line: o.line.line,
          date: o.line.date,
          amount: formatYuan(o.line.amountFen),
          payer: o.line.payer,
          memo: o.line.memo,
          result,
          number: 'paymentId' in o ? (numbers.get(o.paymentId) ?? null) : null,
        });
      }
      return { lines: results, matched: results.filter((r) => r.result === 'matched').length };
    },
  };
}

export type Finance = ReturnType<typeof createFinance>;
