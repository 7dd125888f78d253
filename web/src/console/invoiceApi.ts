/** 财务's 发票管理 and 发票台账 (answers: src/modules/invoices/schemas.ts). */
import type { ConsoleInvoice, ConsoleInvoiceDetail, ConsoleInvoiceList, Invoice, InvoiceMail, InvoiceView, Ledger, Reissued } from '../../../src/http/contract.ts';
import { staffClient } from './api';

export type { ConsoleInvoice, ConsoleInvoiceDetail, Ledger };
export type WantedInvoice = Extract<Invoice, { wanted: true }>;
export type InvoiceStatus = InvoiceView['status'];

const base = '/api/finance/invoices';

export const consoleInvoiceApi = {
  list: (status?: InvoiceStatus, search?: string) => {
    const q = new URLSearchParams();
    if (status) q.set('status', status);
    if (search) q.set('search', search);
    return staffClient.request<ConsoleInvoiceList>('GET', `${base}?${q.toString()}`).then((r) => r.items);
  },
  detail: (id: string) => staffClient.request<ConsoleInvoiceDetail>('GET', `${base}/${encodeURIComponent(id)}`),
  pdfUrl: (id: string) => `${base}/${encodeURIComponent(id)}/pdf`,
  retry: (id: string) => staffClient.request<InvoiceView>('POST', `${base}/${encodeURIComponent(id)}/retry`, { body: {} }),
  reissue: (id: string, invoice: WantedInvoice) => staffClient.request<Reissued>('POST', `${base}/${encodeURIComponent(id)}/reissue`, { body: invoice }),
  resend: (id: string, email?: string) => staffClient.request<InvoiceMail>('POST', `${base}/${encodeURIComponent(id)}/resend`, { body: email ? { email } : {} }),
  ledger: (from: string, to: string) => staffClient.request<Ledger>('GET', `/api/finance/invoice-ledger?from=${from}&to=${to}`),
  exportUrl: (from: string, to: string, format: 'xlsx' | 'csv') => `/api/finance/invoice-ledger/export?from=${from}&to=${to}&format=${format}`,
};
