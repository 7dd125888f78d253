/**
 * The applicant's 支付 calls: 银行汇款 (account, remittance code, voucher) and 微信支付 (QR, polling).
 * The answers' types are the server's (src/modules/payments/schemas.ts).
 */
import type { BankChosen, BankDetails, PaymentView, VoucherSubmitted, WechatOrder, WechatStatus } from '../../../src/http/contract.ts';
import { request, upload } from '../api';

export type { BankDetails, PaymentView, WechatOrder };

export const paymentApi = {
  chooseBank: (id: string) => request<BankChosen>('POST', `/api/applications/${id}/payment/bank`, { body: {} }),
  submitVoucher: (id: string, file: File, note: string, onProgress: (p: number) => void) =>
    upload<VoucherSubmitted>(`/api/applications/${id}/payment/bank/voucher`, file, file.name, onProgress, { note }),
  wechatOrder: (id: string) => request<WechatOrder>('POST', `/api/applications/${id}/payment/wechat`, { body: {} }),
  wechatStatus: (id: string) => request<WechatStatus>('GET', `/api/applications/${id}/payment/wechat`),
};
