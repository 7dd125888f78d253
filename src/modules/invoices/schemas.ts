/** invoices' answers (the applicant's 发票, 财务's 发票管理 and 发票台账), as zod schemas: see src/http/contract.ts. */
import { z } from 'zod';
import { invoiceColours, invoiceStatuses } from '../../domain/invoice.ts';
import { invoiceKinds } from '../../domain/invoice-buyer.ts';
import type { Invoice } from '../../domain/application-form.ts';

/** 是否开具发票 as stored (the request's rules are domain/application-form.ts). */
const invoiceFields = { wanted: z.literal(true), title: z.string(), taxNumber: z.string(), email: z.string() };
const wantedInvoiceView = z.discriminatedUnion('type', [
  z.object({ ...invoiceFields, type: z.literal('normal') }),
  z.object({ ...invoiceFields, type: z.literal('special'), address: z.string(), phone: z.string(), bank: z.string(), account: z.string() }),
]);
export const invoiceFormView = z.discriminatedUnion('wanted', [z.object({ wanted: z.literal(false) }), wantedInvoiceView]) satisfies z.ZodType<Invoice>;

export const invoiceView = z.object({
  id: z.string(),
  colour: z.enum(invoiceColours),
  colourLabel: z.string(),
  status: z.enum(invoiceStatuses),
  statusLabel: z.string(),
  type: z.enum(invoiceKinds),
  typeLabel: z.string(),
  buyerName: z.string(),
  buyerTaxNumber: z.string(),
  /** Masked (zh***@example.com). */
  email: z.string(),
  total: z.string(),
  totalFen: z.number(),
  amount: z.string(),
  tax: z.string(),
  taxRate: z.string(),
  number: z.string().nullable(),
  issuedAt: z.string().nullable(),
  downloadable: z.boolean(),
  reason: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
});
export type InvoiceView = z.infer<typeof invoiceView>;

export const invoiceMail = z.object({ id: z.string(), to: z.string(), status: z.enum(['queued', 'sent', 'failed']), statusLabel: z.string(), error: z.string().nullable(), at: z.string() });
export type InvoiceMail = z.infer<typeof invoiceMail>;

/** For 我的申请: how the application's invoice stands. */
export const invoiceSummary = z.object({ id: z.string(), status: z.enum(invoiceStatuses), statusLabel: z.string(), number: z.string().nullable(), downloadable: z.boolean() });
export type InvoiceSummary = z.infer<typeof invoiceSummary>;

export const applicantInvoices = z.object({
  requested: invoiceFormView.nullable(),
  /** Paid for: the invoice is (being) issued. */
  paid: z.boolean(),
  /** 修改发票信息 is open (until the platform has the invoice). */
  editable: z.boolean(),
  invoices: z.array(invoiceView.extend({ mails: z.array(invoiceMail) })),
});
export type ApplicantInvoices = z.infer<typeof applicantInvoices>;

export const buyerChanged = z.object({ invoice: invoiceFormView });

const consoleInvoice = invoiceView.extend({ applicationId: z.string(), applicationNumber: z.string(), orgName: z.string().nullable() });
export const consoleInvoiceList = z.object({ items: z.array(consoleInvoice) });
export type ConsoleInvoice = z.infer<typeof consoleInvoice>;

export const consoleInvoiceDetail = z.object({
  invoice: consoleInvoice.extend({
    buyer: z.object({ name: z.string(), taxNumber: z.string(), address: z.string().optional(), phone: z.string().optional(), bank: z.string().optional(), account: z.string().optional() }),
    fullEmail: z.string(),
  }),
  related: z.array(invoiceView),
  mails: z.array(invoiceMail),
});
export type ConsoleInvoiceDetail = z.infer<typeof consoleInvoiceDetail>;

export const reissued = z.object({ red: invoiceView, blue: invoiceView });

export const ledger = z.object({
  rows: z.array(invoiceView.extend({ applicationNumber: z.string(), orgName: z.string().nullable(), amountFen: z.number(), taxFen: z.number() })),
  totals: z.object({ count: z.number(), total: z.string(), totalFen: z.number(), amount: z.string(), tax: z.string() }),
});
export type Ledger = z.infer<typeof ledger>;
