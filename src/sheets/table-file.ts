/**
 * A table as a file people open in a spreadsheet: an Excel workbook (exceljs — maintained, reads
 * back what it writes, no native parts) or CSV (UTF-8 with BOM, so Excel opens the Chinese text).
 * Money columns hold integer fen and are written as 元 with two decimals (numbers in Excel, text in
 * CSV); the totals row is the caller's, summed in fen, never in floats. The 发票台账 and the
 * reports' exports share it.
 */
import { formatYuan } from '../domain/money.ts';

export interface Column<K extends string> {
  key: K;
  header: string;
  width?: number;
  /** The cells are fen. */
  money?: boolean;
}

export type Cell = string | number | null;

export interface TableFile<K extends string> {
  sheetName: string;
  columns: readonly Column<K>[];
  rows: readonly Record<K, Cell>[];
  /** The last row, bold: what the columns add up to (money in fen), with a label in the first column. */
  totals: Partial<Record<K, Cell>>;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Beijing time, as every date in CertDesk reads: 2026-12-03 10:36. */
export function beijingMinute(at: Date | string | null): string {
  if (!at) return '';
  return new Date(new Date(at).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export async function tableXlsx<K extends string>(t: TableFile<K>): Promise<Buffer> {
  // Loaded at the first export, not at every start: exceljs is a quarter of a second of a process's start-up.
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  book.creator = 'CertDesk';
  const sheet = book.addWorksheet(t.sheetName);
  sheet.columns = t.columns.map((c) => ({ header: c.header, key: c.key, width: c.width ?? 14 }));
  const asNumbers = (row: Partial<Record<K, Cell>>) =>
    Object.fromEntries(t.columns.map((c) => [c.key, c.money && typeof row[c.key] === 'number' ? (row[c.key] as number) / 100 : (row[c.key] ?? null)]));
  for (const r of t.rows) sheet.addRow(asNumbers(r));
  sheet.addRow(asNumbers(t.totals)).font = { bold: true };
  for (const c of t.columns) if (c.money) sheet.getColumn(c.key).numFmt = '#,##0.00';
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await book.xlsx.writeBuffer());
}

function csvCell(v: Cell): string {
  const text = v === null ? '' : String(v);
  // A leading =, +, - or @ would be a formula to a spreadsheet: quote it as text (CSV injection).
  const safe = /^[=+\-@]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function tableCsv<K extends string>(t: TableFile<K>): string {
  const line = (row: Partial<Record<K, Cell>>) =>
    t.columns.map((c) => csvCell(c.money && typeof row[c.key] === 'number' ? formatYuan(row[c.key] as number) : (row[c.key] ?? null))).join(',');
  const lines = [t.columns.map((c) => csvCell(c.header)).join(','), ...t.rows.map(line), line(t.totals)];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
