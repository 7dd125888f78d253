/** 发票台账 as a file (Excel or CSV, src/sheets/table-file.ts): one row per invoice, the totals in fen. */
import { ledgerTotals } from '../../domain/invoice.ts';
import { beijingMinute, tableCsv, tableXlsx, type Column, type TableFile } from '../../sheets/table-file.ts';
import type { Ledger } from './schemas.ts';

type Key = 'issuedAt' | 'number' | 'colour' | 'type' | 'applicationNumber' | 'buyerName' | 'buyerTaxNumber' | 'amount' | 'taxRate' | 'tax' | 'total' | 'status' | 'reason';

const columns: readonly Column<Key>[] = [
  { header: '开票日期', key: 'issuedAt', width: 20 },
  { header: '发票号码', key: 'number', width: 24 },
  { header: '红蓝字', key: 'colour', width: 10 },
  { header: '发票类型', key: 'type', width: 16 },
  { header: '申请编号', key: 'applicationNumber', width: 20 },
  { header: '购买方名称', key: 'buyerName', width: 32 },
  { header: '纳税人识别号', key: 'buyerTaxNumber', width: 22 },
  { header: '金额（元）', key: 'amount', width: 14, money: true },
  { header: '税率', key: 'taxRate', width: 8 },
  { header: '税额（元）', key: 'tax', width: 12, money: true },
  { header: '价税合计（元）', key: 'total', width: 16, money: true },
  { header: '状态', key: 'status', width: 10 },
  { header: '红冲原因', key: 'reason', width: 18 },
];

function table(ledger: Ledger, period: string): TableFile<Key> {
  const t = ledgerTotals(ledger.rows);
  return {
    sheetName: '发票台账',
    columns,
    rows: ledger.rows.map((r) => ({
      issuedAt: beijingMinute(r.issuedAt),
      number: r.number ?? '',
      colour: r.colourLabel,
      type: r.typeLabel,
      applicationNumber: r.applicationNumber,
      buyerName: r.buyerName,
      buyerTaxNumber: r.buyerTaxNumber,
      amount: r.amountFen,
      taxRate: r.taxRate,
      tax: r.taxFen,
      total: r.totalFen,
      status: r.statusLabel,
      reason: r.reason ?? '',
    })),
    totals: { issuedAt: `合计（${period}，${t.count} 张）`, amount: t.amountFen, tax: t.taxFen, total: t.totalFen },
  };
}

export const ledgerXlsx = (ledger: Ledger, period: string): Promise<Buffer> => tableXlsx(table(ledger, period));
export const ledgerCsv = (ledger: Ledger, period: string): string => tableCsv(table(ledger, period));
