/** 财务's calls: vouchers waiting for 确认到账, refunds, bank statement import. */
import { staffClient } from './api';

export interface FinanceItem {
  id: string;
  applicationId: string;
  number: string;
  orgName: string | null;
  amount: string;
  remittanceCode: string | null;
  note: string;
  createdAt: string;
}

export interface RefundItem {
  id: string;
  number: string;
  orgName: string | null;
  amount: string;
  reason: string;
  kind: 'cancel' | 'duplicate';
  status: string;
  createdAt: string;
}

export interface StatementLineResult {
  line: number;
  date: string;
  amount: string;
  payer: string;
  memo: string;
  result: 'matched' | 'amount_mismatch' | 'no_code' | 'unknown_code' | 'duplicate_line' | 'not_confirmed' | 'error';
  number: string | null;
}

export const financeApi = {
  queue: () => staffClient.request<{ items: FinanceItem[] }>('GET', '/api/finance/queue'),
  voucherUrl: (paymentId: string) => `/api/finance/payments/${paymentId}/voucher`,
  confirm: (paymentId: string) => staffClient.request<{ statusLabel: string }>('POST', `/api/finance/payments/${paymentId}/confirm`, { body: {} }),
  reject: (paymentId: string, reason: string) => staffClient.request<{ statusLabel: string }>('POST', `/api/finance/payments/${paymentId}/reject`, { body: { reason } }),
  refunds: () => staffClient.request<{ items: RefundItem[] }>('GET', '/api/finance/refunds'),
  completeRefund: (id: string) => staffClient.request<{ statusLabel: string }>('POST', `/api/finance/refunds/${id}/complete`, { body: {} }),
  importStatement(file: File) {
    const form = new FormData();
    form.append('file', file, file.name);
    return staffClient.request<{ lines: StatementLineResult[]; matched: number }>('POST', '/api/finance/statements', { body: form });
  },
};
