/** The applicant's 支付 calls: 银行汇款 (account, remittance code, voucher) and 微信支付 (QR, polling). */
import { request, upload } from '../api';

export interface PaymentView {
  id: string;
  method: 'bank_transfer' | 'wechat';
  status: string;
  statusLabel: string;
  amount: string;
  remittanceCode: string | null;
  rejectReason: string | null;
  outTradeNo: string | null;
  expiresAt: string | null;
}

export interface BankDetails {
  accountName: string;
  bankName: string;
  accountNumber: string;
  remittanceCode: string | null;
}

export interface WechatOrder {
  payment: PaymentView;
  codeUrl: string | null;
  qrDataUrl: string | null;
  payPageUrl: string | null;
}

export const paymentApi = {
  chooseBank: (id: string) => request<{ bank: BankDetails; payment: PaymentView }>('POST', `/api/applications/${id}/payment/bank`, { body: {} }),
  submitVoucher: (id: string, file: File, note: string, onProgress: (p: number) => void) =>
    upload<{ statusLabel: string }>(`/api/applications/${id}/payment/bank/voucher`, file, file.name, onProgress, { note }),
  wechatOrder: (id: string) => request<WechatOrder>('POST', `/api/applications/${id}/payment/wechat`, { body: {} }),
  wechatStatus: (id: string) => request<{ paid: boolean; statusLabel: string }>('GET', `/api/applications/${id}/payment/wechat`),
};
