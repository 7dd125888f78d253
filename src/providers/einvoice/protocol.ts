/**
 * 诺诺开放平台 (诺税通 SaaS) on the wire, shared by the adapter and the simulator: the endpoint,
 * the API methods, the JSON bodies as zod schemas, the codes and statuses CertDesk acts on, and
 * the mapping between CertDesk's kinds and the platform's 票种. Every field is a string on the
 * wire, amounts as yuan with two decimals ("160.00"), rates as fractions ("0.06").
 */
import { z } from 'zod';
import type { InvoiceKind } from '../../domain/invoice-buyer.ts';

/** Production; the sandbox is https://sandbox.nuonuocs.cn/open/v1/services. */
export const NUONUO_ENDPOINT = 'https://sdk.nuonuo.com/open/v1/services';
/** 自用型应用 get their accessToken here (client_credentials). */
export const NUONUO_TOKEN_URL = 'https://open.nuonuo.com/accessToken';
/** The service path; the simulator serves it under its prefix. */
export const SERVICE_PATH = '/open/v1/services';
export const TOKEN_PATH = '/accessToken';

export const METHODS = {
  issue: 'nuonuo.OpeMplatform.requestBillingNew',
  query: 'nuonuo.OpeMplatform.queryInvoiceResult',
  saveRedConfirm: 'nuonuo.OpeMplatform.saveInvoiceRedConfirm',
  queryRedConfirm: 'nuonuo.OpeMplatform.queryInvoiceRedConfirm',
} as const;

/** 票种 (invoiceLine): pc 电子发票(普通发票), bs 电子发票(增值税专用发票) — the 数电票 lines. */
export const INVOICE_LINES: Record<InvoiceKind, 'pc' | 'bs'> = { normal: 'pc', special: 'bs' };
export function kindOfLine(line: string): InvoiceKind | undefined {
  return line === 'pc' ? 'normal' : line === 'bs' ? 'special' : undefined;
}

export const CODES = {
  success: 'E0000',
  /** 订单编号或流水号不能重复: already submitted. */
  duplicateOrder: 'E9106',
  /** No invoice for the numbers asked about. */
  notFound: 'E9500',
  /** The simulator's code for a refused parameter (the platform's own vary by field). */
  badParameter: 'E9101',
  /** 获取app密钥失败或appkey无效. */
  badAppKey: '070101',
  /** accessToken 无效或已过期 (the simulator's choice within the gateway's 0703xx credential codes). */
  badToken: '070304',
  /** 签名验证失败 (likewise). */
  badSignature: '070305',
  /** The token's call limit reached: try again later. */
  callLimit: '070306',
  /** The simulator's code for a malformed envelope (missing senid, stale timestamp, unknown method). */
  badEnvelope: '070201',
} as const;

/** Codes after which trying again later can help; every other refusal needs a person. */
export function isRetryableCode(code: string): boolean {
  return code === CODES.callLimit;
}

/** queryInvoiceResult's status. */
export const STATUS = {
  issued: '2',
  issuing: '20',
  sealing: '21',
  failed: '22',
  sealFailed: '24',
  voided: '3',
  voiding: '31',
} as const;

export const STATUS_MESSAGES: Record<string, string> = {
  [STATUS.issued]: '开票完成（最终状态）',
  [STATUS.issuing]: '开票中',
  [STATUS.sealing]: '开票成功签章中',
  [STATUS.failed]: '开票失败',
  [STATUS.sealFailed]: '开票成功签章失败',
  [STATUS.voided]: '发票已作废',
  [STATUS.voiding]: '发票作废中',
};

/** 红字确认单状态 (billStatus). */
export const BILL_STATUS: Record<string, string> = {
  '01': '无需确认',
  '02': '销方录入待购方确认',
  '03': '购方录入待销方确认',
  '04': '购销双方已确认',
  '05': '作废（销方录入购方否认）',
  '06': '作废（购方录入销方否认）',
  '07': '作废（超72小时未确认）',
  '08': '作废（发起方已撤销）',
  '09': '作废（确认后撤销）',
  '15': '申请中',
  '16': '申请失败',
};
/** The red invoice is (or will be) issued without anyone else's say. */
export const BILL_CONFIRMED = new Set(['01', '04']);
export const BILL_VOID = new Set(['05', '06', '07', '08', '09', '16']);

const str = z.string();
const optStr = z.string().optional();
/** Numbers some answers send as numbers, others as strings. */
const numberish = z.union([z.number(), z.string()]).optional();

export const envelopeSchema = z.object({
  code: z.string(),
  describe: z.string().optional(),
  result: z.unknown().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export const invoiceDetailSchema = z.object({
  goodsName: str,
  goodsCode: str,
  withTaxFlag: z.enum(['0', '1']),
  price: optStr,
  num: optStr,
  unit: optStr,
  specType: optStr,
  tax: str,
  taxRate: str,
  taxExcludedAmount: str,
  taxIncludedAmount: str,
  invoiceLineProperty: optStr,
});
export type InvoiceDetail = z.infer<typeof invoiceDetailSchema>;

export const orderSchema = z.object({
  buyerName: str,
  buyerTaxNum: optStr,
  buyerTel: optStr,
  buyerAddress: optStr,
  buyerAccount: optStr,
  salerTaxNum: str,
  salerTel: optStr,
  salerAddress: optStr,
  salerAccount: optStr,
  orderNo: str,
  /** 订单时间, yyyy-MM-dd HH:mm:ss (Asia/Shanghai). */
  invoiceDate: str,
  clerk: optStr,
  remark: optStr,
  /** -1 不推送: CertDesk mails the invoice itself. */
  pushMode: optStr,
  email: optStr,
  /** 1 蓝票, 2 红票 (not for 数电票: those are reversed through a 红字确认单). */
  invoiceType: z.enum(['1', '2']),
  invoiceLine: str,
  invoiceDetail: z.array(invoiceDetailSchema),
});
export type Order = z.infer<typeof orderSchema>;

export const issueBodySchema = z.object({ order: orderSchema });
export const issueResultSchema = z.object({ invoiceSerialNum: z.string().min(1) });

export const queryBodySchema = z.object({
  serialNos: z.array(z.string()).optional(),
  orderNos: z.array(z.string()).optional(),
  isOfferInvoiceDetail: z.enum(['0', '1']).optional(),
});

export const queryItemSchema = z.object({
  serialNo: str,
  orderNo: str,
  status: z.union([z.string(), z.number()]).transform(String),
  statusMsg: optStr,
  failCause: optStr,
  pdfUrl: optStr,
  ofdUrl: optStr,
  xmlUrl: optStr,
  /** Epoch milliseconds. */
  invoiceTime: numberish,
  invoiceCode: optStr,
  invoiceNo: optStr,
  allElectronicInvoiceNumber: optStr,
  exTaxAmount: optStr,
  taxAmount: optStr,
  orderAmount: optStr,
  payerName: optStr,
  payerTaxNo: optStr,
  invoiceLine: optStr,
  invoiceKind: optStr,
  invoiceType: optStr,
  oldEleInvoiceNumber: optStr,
  saleName: optStr,
  salerTaxNum: optStr,
  remark: optStr,
});
export type QueryItem = z.infer<typeof queryItemSchema>;
export const queryResultSchema = z.array(queryItemSchema);

export const saveRedConfirmBodySchema = z.object({
  billId: optStr,
  blueInvoiceLine: str,
  /** 0 销方, 1 购方. */
  applySource: z.enum(['0', '1']),
  blueInvoiceNumber: optStr,
  blueElecInvoiceNumber: optStr,
  billTime: optStr,
  sellerTaxNo: str,
  sellerName: optStr,
  buyerTaxNo: optStr,
  buyerName: str,
  redReason: z.enum(['1', '2', '3', '4']),
  autoInvoice: optStr,
  orderNo: optStr,
  detail: z.array(z.unknown()).optional(),
});
export type SaveRedConfirmBody = z.infer<typeof saveRedConfirmBodySchema>;
/** The 红字确认单申请号. */
export const saveRedConfirmResultSchema = z.string().min(1);

export const queryRedConfirmBodySchema = z.object({
  identity: z.enum(['0', '1']),
  billStatus: optStr,
  billId: optStr,
  billNo: optStr,
  billUuid: optStr,
  billTimeStart: optStr,
  billTimeEnd: optStr,
  pageSize: optStr,
  pageNo: optStr,
});

export const redConfirmSchema = z.object({
  billId: str,
  billNo: optStr,
  billUuid: optStr,
  billStatus: str,
  billMessage: optStr,
  invoiceSerialNum: optStr,
  orderNo: optStr,
  openStatus: z.union([z.string(), z.number()]).transform(String).optional(),
  blueInvoiceNumber: optStr,
  taxExcludedAmount: optStr,
  taxAmount: optStr,
  redReason: optStr,
});
export type RedConfirm = z.infer<typeof redConfirmSchema>;
export const queryRedConfirmResultSchema = z.object({
  total: numberish,
  list: z.array(redConfirmSchema).default([]),
});

/** The accessToken answer (client_credentials). */
export const tokenAnswerSchema = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });

/** yyyy-MM-dd HH:mm:ss in Asia/Shanghai, as the platform writes times. */
export function shanghaiDateTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Our order numbers: letters and digits, at most 20 (the 红字确认单's orderNo limit). */
export const ORDER_NO = /^[A-Za-z0-9]{1,20}$/;
