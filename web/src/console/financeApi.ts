/** 财务's calls: vouchers waiting for 确认到账, refunds, bank statement import (answers: src/modules/payments/schemas.ts). */
import type {
  FinanceQueue,
  FinanceQueueItem,
  RefundItem,
  RefundList,
  StatementImported,
  StatementLineResult,
  StatusChange,
} from '../../../src/http/contract.ts';
import { staffClient } from './api';

export type FinanceItem = FinanceQueueItem;
export type { RefundItem, StatementLineResult };

export const financeApi = {
  queue: () => staffClient.request<FinanceQueue>('GET', '/api/finance/queue'),
  voucherUrl: (paymentId: string) => `/api/finance/payments/${paymentId}/voucher`,
  confirm: (paymentId: string) => staffClient.request<StatusChange>('POST', `/api/finance/payments/${paymentId}/confirm`, { body: {} }),
  reject: (paymentId: string, reason: string) => staffClient.request<StatusChange>('POST', `/api/finance/payments/${paymentId}/reject`, { body: { reason } }),
  refunds: () => staffClient.request<RefundList>('GET', '/api/finance/refunds'),
  completeRefund: (id: string) => staffClient.request<StatusChange>('POST', `/api/finance/refunds/${id}/complete`, { body: {} }),
  importStatement(file: File) {
    const form = new FormData();
    form.append('file', file, file.name);
    return staffClient.request<StatementImported>('POST', '/api/finance/statements', { body: form });
  },
};
