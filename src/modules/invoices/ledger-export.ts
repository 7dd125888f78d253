/**
 * 发票台账 as a file: an Excel workbook (exceljs — maintained, reads back what it writes, no native
 * parts) and CSV (UTF-8 with BOM, so Excel opens the Chinese text). Amounts are written as numbers
 * of 元 with two decimals, computed from fen; the totals row sums the fen, never floats.
 */
import ExcelJS from 'exceljs';
import { formatYuan } from '../../domain/money.ts';
import type { Ledger } from './schemas.ts';

const columns = [
  { header: '开票日期', key: 'issuedAt', width: 20 },
  { header: '发票号码', key: 'number', width: 24 },
  { header: '红蓝字', key: 'colour', width: 10 },
  { header: '发票类型', key: 'type', width: 16 },
  { header: '申请编号', key: 'applicationNumber', width: 20 },
  { header: '购买方名称', key: 'buyerName', width: 32 },
  { header: '纳税人识别号', key: 'buyerTaxNumber', width: 22 },
  { header: '金额（元）', key: 'amount', width: 14 },
  { header: '税率', key: 'taxRate', width: 8 },
  { header: '税额（元）', key: 'tax', width: 12 },
  { header: '价税合计（元）', key: 'total', width: 16 },
  { header: '状态', key: 'status', width: 10 },
  { header: '红冲原因', key: 'reason', width: 18 },
] as const;

/** Beijing time, as every date in CertDesk reads: 2026-12-03 10:36. */
function beijing(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

function cells(r: Ledger['rows'][number]) {
  return {
    issuedAt: beijing(r.issuedAt),
    number: r.number ?? '',
    colour: r.colourLabel,
    type: r.typeLabel,
    applicationNumber: r.applicationNumber,
    buyerName: r.buyerName,
    buyerTaxNumber: r.buyerTaxNumber,
    amount: formatYuan(r.amountFen),
    taxRate: r.taxRate,
    tax: formatYuan(r.taxFen),
    total: formatYuan(r.totalFen),
    status: r.statusLabel,
    reason: r.reason ?? '',
  };
}

export async function ledgerXlsx(ledger: Ledger, period: string): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'CertDesk';
  const sheet = book.addWorksheet('发票台账');
  sheet.columns = columns.map((c) => ({ ...c }));
  for (const r of ledger.rows) {
    const c = cells(r);
    sheet.addRow({ ...c, amount: r.amountFen / 100, tax: r.taxFen / 100, total: r.totalFen / 100 });
  }
  const totals = sheet.addRow({
    issuedAt: `合计（${period}，${ledger.totals.count} 张）`,
    amount: Number(ledger.totals.amount),
    tax: Number(ledger.totals.tax),
    total: ledger.totals.totalFen / 100,
  });
  totals.font = { bold: true };
  for (const key of ['amount', 'tax', 'total'] as const) sheet.getColumn(key).numFmt = '#,##0.00';
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await book.xlsx.writeBuffer());
}

function csvCell(v: string): string {
  // A leading =, +, - or @ would be a formula to a spreadsheet: quote it as text (CSV injection).
  const safe = /^[=+\-@]/.test(v) && !/^-?\d+(\.\d+)?$/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function ledgerCsv(ledger: Ledger, period: string): string {
  const lines = [columns.map((c) => c.header).join(',')];
  for (const r of ledger.rows) {
    const c = cells(r);
    lines.push(columns.map((col) => csvCell(c[col.key])).join(','));
  }
  const t = ledger.totals;
  const totals: Record<string, string> = { issuedAt: `合计（${period}，${t.count} 张）`, amount: t.amount, tax: t.tax, total: t.total };
  lines.push(columns.map((col) => csvCell(totals[col.key] ?? '')).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
