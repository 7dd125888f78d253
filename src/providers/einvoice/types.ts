/**
 * The e-invoice platform as CertDesk sees it: ask for a 数电票 (蓝字发票), ask for its 红字发票,
 * and ask how either stands. The platform works asynchronously, as the real one does: `issue`
 * and `redInvoice` only submit; `query` is asked until the invoice is issued or has failed.
 * Real adapter: 诺诺开放平台 (诺税通 SaaS, client.ts). Simulator: the same HTTP API on loopback
 * (simulator.ts). Money is integer fen; the seller, the service line and the rate come from
 * configuration, never from the request.
 */
import type { InvoiceAmounts } from '../../domain/invoice-amounts.ts';
import type { InvoiceBuyer, InvoiceKind } from '../../domain/invoice-buyer.ts';

/** The CA as the invoice names it (销售方), from configuration. */
export interface InvoiceSeller {
  name: string;
  /** 统一社会信用代码/纳税人识别号: also the 授权企业 the platform knows the app by. */
  taxNumber: string;
  address: string;
  phone: string;
  /** 开户行及账号, one text. */
  bankAccount: string;
}

/** The one line every CertDesk invoice has, from configuration. */
export interface InvoiceService {
  /** 项目名称, e.g. 数字证书服务费 (the platform prints the classification's 简称 before it). */
  goodsName: string;
  /** 税收分类编码, 19 digits. */
  taxCode: string;
  /** 税率 in basis points: 600 = 6 %. */
  taxRateBp: number;
}

export interface BlueInvoiceRequest {
  /**
   * Ours, unique at the platform across blue and red invoices: 1–20 letters and digits. Asking
   * again with the same number never issues a second invoice (the platform refuses a repeated
   * 订单号 and the adapter answers with the invoice already submitted), so a job may retry freely.
   */
  orderNo: string;
  kind: InvoiceKind;
  buyer: InvoiceBuyer;
  /** 价税合计: what was paid, in fen (> 0); split into 金额 and 税额 at the configured rate. */
  totalFen: number;
  /** When the order was paid; sent as the 订单时间 (not the 开票日期, which is the platform's). */
  orderedAt: Date;
  /** 备注 printed on the invoice, e.g. the application number; at most 200 characters. */
  remark?: string;
}

/** 冲红原因 as the platform numbers them. */
export const redReasons = { returned: '1', mistake: '2', stopped: '3', allowance: '4' } as const;
export type RedReason = keyof typeof redReasons;
export const redReasonLabels: Record<RedReason, string> = {
  returned: '销货退回',
  mistake: '开票有误',
  stopped: '服务中止',
  allowance: '销售折让',
};

export interface RedInvoiceRequest {
  /**
   * Ours, for the 红字发票 and its 红字确认单 (the platform's 申请号 and 订单号 are both this):
   * 1–20 letters and digits, unique like a blue invoice's. Asking again with the same number
   * does not apply twice.
   */
  orderNo: string;
  /** The blue invoice being reversed, in full, as `query` reported it. */
  original: { number: string; kind: InvoiceKind; buyerName: string; buyerTaxNumber: string };
  /** A refund is `stopped` (服务中止); a wrong title before 重开 is `mistake` (开票有误). */
  reason: RedReason;
}

export interface IssuedInvoice {
  orderNo: string;
  /** The platform's 发票请求流水号. */
  serialNo: string;
  /** 发票号码: the 20-digit 数电票 number. */
  number: string;
  /** 开票日期. */
  issuedAt: Date;
  kind: InvoiceKind;
  /** A 红字发票: its amounts are negative and `originalNumber` names the blue one. */
  red: boolean;
  originalNumber?: string;
  /** As the platform printed them (negative on a red invoice). */
  amounts: InvoiceAmounts;
  buyerName: string;
  buyerTaxNumber: string;
  /** The invoice file, fetched from the platform. */
  pdf: Uint8Array;
  /** Where the platform keeps it; a capability URL, not to be shown to others. */
  pdfUrl: string;
  /** The OFD and XML forms, when the platform gives them (the simulator gives XML). */
  ofd?: Uint8Array;
  xml?: Uint8Array;
}

export type InvoiceResult =
  /** 开票中, or its 红字确认单 still being processed; `message` says which, in Chinese. */
  | { status: 'pending'; message: string }
  | { status: 'issued'; invoice: IssuedInvoice }
  /** 开票失败 or the 红字确认单 refused or void: final. `message` is the platform's reason in Chinese. */
  | { status: 'failed'; code: string; message: string }
  /** The platform knows no invoice of this number (never submitted, or not yet visible). */
  | { status: 'not_found' };

/**
 * Thrown for refusals and failures talking to the platform. `retryable`: a job should try again
 * later (the platform was down, slow or busy); otherwise a person must look (bad credentials, a
 * refused request), and `message` says why in Chinese where the platform said it.
 */
export class EInvoiceError extends Error {
  constructor(
    message: string,
    /** The platform's code (E9106, 070101 …) or ours: Timeout, NetworkError, HttpStatus.<n>, BadAnswer, BuyerInvalid, BadRequest, FileDownload. */
    readonly code: string,
    readonly retryable: boolean,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'EInvoiceError';
  }
}

export interface EInvoiceProvider {
  /** Submits a blue 数电票; throws EInvoiceError (BuyerInvalid before anything is sent). */
  issue(request: BlueInvoiceRequest): Promise<{ serialNo: string }>;
  /** Applies for the 红字确认单 of a full reversal; the platform issues the red invoice on its own. */
  redInvoice(request: RedInvoiceRequest): Promise<{ confirmationId: string }>;
  /** How the invoice (blue or red) of `orderNo` stands; an issued one comes with its files. */
  query(orderNo: string): Promise<InvoiceResult>;
}
