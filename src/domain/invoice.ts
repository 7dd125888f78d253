/**
 * 发票: the life of an electronic invoice (数电票) CertDesk asks the e-invoice platform for, as a
 * small rules table like the payments' (lifecycles.ts): which event moves an invoice from which
 * statuses to which. A blue invoice (蓝字) is asked for once an application that wants one is
 * 已支付; a red one (红字) reverses it after a refund, or when 财务 重开 a wrong title. Amounts are
 * integer fen: a red invoice carries the blue one's amounts negated.
 */
import { AppError } from './errors.ts';
import type { Invoice } from './application-form.ts';
import { normalizeInvoiceBuyer, type InvoiceBuyer, type InvoiceKind } from './invoice-buyer.ts';

export const invoiceStatusLabels = {
  pending: '待开具',
  issuing: '开具中',
  issued: '已开具',
  failed: '开具失败',
  reversed: '已红冲',
  cancelled: '已取消',
} as const;
export type InvoiceStatus = keyof typeof invoiceStatusLabels;
export const invoiceStatuses = Object.keys(invoiceStatusLabels) as [InvoiceStatus, ...InvoiceStatus[]];

/** 蓝字发票 (the invoice) and 红字发票 (its reversal). Not the type (普通/专用): that is InvoiceKind. */
export const invoiceColours = ['blue', 'red'] as const;
export type InvoiceColour = (typeof invoiceColours)[number];
export const invoiceColourLabels: Record<InvoiceColour, string> = { blue: '蓝字发票', red: '红字发票' };

/** Why a red invoice was made. */
export const redReasonLabels = { refund: '退款', reissue: '重开（开票信息有误）' } as const;
export type RedReason = keyof typeof redReasonLabels;

interface Rule {
  from: readonly InvoiceStatus[];
  to: InvoiceStatus;
  label: string;
}

export const invoiceRules = {
  /** On its way to the platform (then asked for its result): what is sent no longer changes. */
  submit: { from: ['pending'], to: 'issuing', label: '提交开票' },
  /** The platform issued it: number, date, files. */
  issue: { from: ['issuing', 'pending'], to: 'issued', label: '记为已开具' },
  /** The platform refused it, or kept failing until the attempts ran out. */
  fail: { from: ['pending', 'issuing'], to: 'failed', label: '记为开具失败' },
  /** 财务's 重试, or a corrected 发票抬头 before it was issued. */
  retry: { from: ['failed'], to: 'pending', label: '重新开具' },
  /** A red invoice now reverses it (refund or 重开). */
  reverse: { from: ['issued'], to: 'reversed', label: '红冲' },
  /** Refunded (or replaced by 重开) before the platform had it: nothing to reverse. */
  cancel: { from: ['pending', 'failed'], to: 'cancelled', label: '取消开具' },
} as const satisfies Record<string, Rule>;
export type InvoiceEvent = keyof typeof invoiceRules;

export function invoiceTransition(status: InvoiceStatus, event: InvoiceEvent): InvoiceStatus {
  const rule: Rule = invoiceRules[event];
  if (!rule.from.includes(status)) {
    throw new AppError('INVOICE_STATUS', `该张发票为“${invoiceStatusLabels[status]}”，不能${rule.label}`, 409);
  }
  return rule.to;
}

export function invoiceMay(status: InvoiceStatus, event: InvoiceEvent): boolean {
  return (invoiceRules[event].from as readonly InvoiceStatus[]).includes(status);
}

/** 修改发票信息 by the applicant: until the request leaves for the platform, or after it failed there (then only 财务's 重开). */
export function buyerEditable(status: InvoiceStatus | undefined): boolean {
  return status === undefined || status === 'pending' || status === 'failed';
}

export type WantedInvoice = Extract<Invoice, { wanted: true }>;

/** What an invoice is asked for with: the type, the 购买方 and where to mail it, from the form's 发票信息. */
export interface InvoiceRequestOf {
  type: InvoiceKind;
  buyer: InvoiceBuyer;
  email: string;
}

export function requestOf(form: WantedInvoice): InvoiceRequestOf {
  const buyer: InvoiceBuyer = { name: form.title, taxNumber: form.taxNumber };
  if (form.type === 'special') Object.assign(buyer, { address: form.address, phone: form.phone, bank: form.bank, account: form.account });
  return { type: form.type, buyer: normalizeInvoiceBuyer(buyer), email: form.email };
}

/** Back to the form's shape (the application keeps what was last chosen, 重开 included). */
export function formOf(r: InvoiceRequestOf): WantedInvoice {
  const base = { wanted: true as const, title: r.buyer.name, taxNumber: r.buyer.taxNumber, email: r.email };
  return r.type === 'special'
    ? { ...base, type: 'special', address: r.buyer.address ?? '', phone: r.buyer.phone ?? '', bank: r.buyer.bank ?? '', account: r.buyer.account ?? '' }
    : { ...base, type: 'normal' };
}

/** Attempts of a retryable failure (platform down, timeout) before the invoice shows 开具失败 for 财务. */
export const INVOICE_MAX_ATTEMPTS = 8;

/**
 * The ledger's totals (发票台账): blue amounts count positive, red negative, so the period's total
 * equals what was paid minus what was refunded for the invoiced applications.
 */
export interface LedgerTotals {
  totalFen: number;
  amountFen: number;
  taxFen: number;
  count: number;
}

export function ledgerTotals(rows: readonly { totalFen: number; amountFen: number; taxFen: number }[]): LedgerTotals {
  const t: LedgerTotals = { totalFen: 0, amountFen: 0, taxFen: 0, count: 0 };
  for (const r of rows) {
    t.totalFen += r.totalFen;
    t.amountFen += r.amountFen;
    t.taxFen += r.taxFen;
    t.count += 1;
  }
  return t;
}

/** zhangsan@example.com → zh***@example.com: the address as lists, logs and audit records show it. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  const local = email.slice(0, at);
  return `${local.slice(0, Math.min(2, local.length - 1))}***${email.slice(at)}`;
}
