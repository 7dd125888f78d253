/** The applicant's 发票: one typed call per endpoint (src/modules/invoices/routes.ts). */
import type { ApplicantInvoices, Invoice, InvoiceMail } from '../../../src/http/contract.ts';
import { request } from '../api';

export type { ApplicantInvoices, InvoiceMail };
export type WantedInvoice = Extract<Invoice, { wanted: true }>;

/** 下载发票: a plain link (the session cookie goes with it). */
export const invoicePdfUrl = (invoiceId: string) => `/api/invoices/${encodeURIComponent(invoiceId)}/pdf`;

export const invoiceApi = {
  ofApplication: (applicationId: string) => request<ApplicantInvoices>('GET', `/api/applications/${encodeURIComponent(applicationId)}/invoices`),
  change: (applicationId: string, invoice: WantedInvoice) => request<{ invoice: Invoice }>('PUT', `/api/applications/${encodeURIComponent(applicationId)}/invoice`, { body: invoice }),
  resend: (invoiceId: string, email?: string) => request<InvoiceMail>('POST', `/api/invoices/${encodeURIComponent(invoiceId)}/resend`, { body: email ? { email } : {} }),
};
