/**
 * The real e-invoice adapter: 诺诺开放平台, 诺税通 SaaS API (requestBillingNew to issue a 数电票,
 * queryInvoiceResult to learn how it stands, saveInvoiceRedConfirm / queryInvoiceRedConfirm to
 * reverse one through a 红字确认单, after which the platform issues the red invoice itself).
 * Every call is one signed POST to /open/v1/services (X-Nuonuo-Sign, see signing.ts) with the
 * API named in the `method` header. Failures become EInvoiceError with `retryable` set for the
 * caller's job queue; the buyer is checked here first, so a bad 税号 never leaves CertDesk.
 */
import { z } from 'zod';
import { type InvoiceAmounts, formatTaxRate, parseYuanText, splitTaxIncluded, yuanText } from '../../domain/invoice-amounts.ts';
import { bankAndAccount, describeBuyerProblems, invoiceBuyerProblems, normalizeInvoiceBuyer } from '../../domain/invoice-buyer.ts';
import { parseJson } from '../aliyun/rpc-client.ts';
import {
  BILL_STATUS,
  BILL_VOID,
  CODES,
  INVOICE_LINES,
  METHODS,
  NUONUO_ENDPOINT,
  NUONUO_TOKEN_URL,
  ORDER_NO,
  STATUS,
  STATUS_MESSAGES,
  envelopeSchema,
  issueResultSchema,
  isRetryableCode,
  kindOfLine,
  queryRedConfirmResultSchema,
  queryResultSchema,
  saveRedConfirmResultSchema,
  shanghaiDateTime,
  tokenAnswerSchema,
  type Envelope,
  type Order,
  type QueryItem,
  type RedConfirm,
  type SaveRedConfirmBody,
} from './protocol.ts';
import { newNonce, newSenid, nuonuoSign, unixSeconds } from './signing.ts';
import {
  EInvoiceError,
  redReasons,
  type BlueInvoiceRequest,
  type EInvoiceProvider,
  type InvoiceResult,
  type InvoiceSeller,
  type InvoiceService,
  type IssuedInvoice,
  type RedInvoiceRequest,
} from './types.ts';

export interface NuonuoConfig {
  /** https://sdk.nuonuo.com/open/v1/services; the sandbox's or the simulator's otherwise. */
  endpoint?: string;
  /** Where a token is fetched when `accessToken` is not given. */
  tokenUrl?: string;
  appKey: string;
  appSecret: string;
  /** The 自用型应用's token; without it one is fetched (client_credentials) and renewed before it ends. */
  accessToken?: string;
  seller: InvoiceSeller;
  service: InvoiceService;
  /** 开票员: 数电票 need the name of the drawer registered with the tax bureau. */
  clerk: string;
  timeoutMs?: number;
  now?: () => Date;
}

const configSchema = z.object({
  endpoint: z.url().optional(),
  tokenUrl: z.url().optional(),
  appKey: z.string().min(1),
  appSecret: z.string().min(1),
  accessToken: z.string().min(1).optional(),
  seller: z.object({ name: z.string().min(1), taxNumber: z.string().min(15).max(20) }).loose(),
  service: z.object({ goodsName: z.string().min(1), taxCode: z.string().regex(/^\d{19}$/), taxRateBp: z.number().int().min(0).max(9999) }),
  clerk: z.string().min(1),
});

/** Renew a fetched token this long before the platform says it ends. */
const TOKEN_MARGIN_MS = 5 * 60_000;

export class NuonuoClient implements EInvoiceProvider {
  private readonly endpoint: string;
  private readonly tokenUrl: string;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  private fetched: { token: string; renewAt: number } | undefined;

  constructor(private readonly config: NuonuoConfig) {
    const checked = configSchema.safeParse(config);
    if (!checked.success) throw new Error(`e-invoice configuration: ${checked.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    this.endpoint = config.endpoint ?? NUONUO_ENDPOINT;
    this.tokenUrl = config.tokenUrl ?? NUONUO_TOKEN_URL;
    this.timeoutMs = config.timeoutMs ?? 15_000;
    this.now = config.now ?? (() => new Date());
  }

  async issue(request: BlueInvoiceRequest): Promise<{ serialNo: string }> {
    checkOrderNo(request.orderNo);
    if (!Number.isSafeInteger(request.totalFen) || request.totalFen <= 0) {
      throw new EInvoiceError('开票金额应为大于 0 的整数（分）', 'BadRequest', false);
    }
    const problems = invoiceBuyerProblems(request.kind, request.buyer);
    if (problems.length > 0) throw new EInvoiceError(describeBuyerProblems(problems), 'BuyerInvalid', false);
    const buyer = normalizeInvoiceBuyer(request.buyer);
    const { seller, service } = this.config;
    const amounts = splitTaxIncluded(request.totalFen, service.taxRateBp);
    const order: Order = {
      buyerName: buyer.name,
      buyerTaxNum: buyer.taxNumber,
      buyerTel: buyer.phone ?? '',
      buyerAddress: buyer.address ?? '',
      buyerAccount: bankAndAccount(buyer),
      salerTaxNum: seller.taxNumber,
      salerTel: seller.phone,
      salerAddress: seller.address,
      salerAccount: seller.bankAccount,
      orderNo: request.orderNo,
      invoiceDate: shanghaiDateTime(request.orderedAt),
      clerk: this.config.clerk,
      remark: request.remark ?? '',
      pushMode: '-1',
      invoiceType: '1',
      invoiceLine: INVOICE_LINES[request.kind],
      invoiceDetail: [
        {
          goodsName: service.goodsName,
          goodsCode: service.taxCode,
          withTaxFlag: '1',
          num: '1',
          price: yuanText(amounts.totalFen),
          tax: yuanText(amounts.taxFen),
          taxRate: formatTaxRate(service.taxRateBp),
          taxExcludedAmount: yuanText(amounts.amountFen),
          taxIncludedAmount: yuanText(amounts.totalFen),
          invoiceLineProperty: '0',
        },
      ],
    };
    const answer = await this.call(METHODS.issue, { order });
    if (answer.code === CODES.success) return { serialNo: this.parsed(issueResultSchema, answer, '开票').invoiceSerialNum };
    if (answer.code === CODES.duplicateOrder) return this.alreadySubmitted(request.orderNo, amounts);
    throw refused('开票申请', answer);
  }

  async redInvoice(request: RedInvoiceRequest): Promise<{ confirmationId: string }> {
    checkOrderNo(request.orderNo);
    const body: SaveRedConfirmBody = {
      billId: request.orderNo,
      orderNo: request.orderNo,
      blueInvoiceLine: INVOICE_LINES[request.original.kind],
      applySource: '0',
      blueElecInvoiceNumber: request.original.number,
      sellerTaxNo: this.config.seller.taxNumber,
      sellerName: this.config.seller.name,
      buyerTaxNo: request.original.buyerTaxNumber,
      buyerName: request.original.buyerName,
      redReason: redReasons[request.reason],
      autoInvoice: '1',
    };
    const answer = await this.call(METHODS.saveRedConfirm, body);
    if (answer.code === CODES.success) return { confirmationId: this.parsed(saveRedConfirmResultSchema, answer, '红字确认单申请') };
    // A 申请号 sent before is refused as a duplicate: the form exists, so this request is done.
    const existing = await this.redConfirm(request.orderNo);
    if (existing !== undefined && !BILL_VOID.has(existing.billStatus)) return { confirmationId: existing.billId };
    throw refused('红字确认单申请', answer);
  }

  async query(orderNo: string): Promise<InvoiceResult> {
    checkOrderNo(orderNo);
    const answer = await this.call(METHODS.query, { orderNos: [orderNo], isOfferInvoiceDetail: '0' });
    if (answer.code === CODES.notFound) return this.redConfirmState(orderNo);
    if (answer.code !== CODES.success) throw refused('发票查询', answer);
    const item = this.parsed(queryResultSchema, answer, '发票查询').find((i) => i.orderNo === orderNo);
    if (item === undefined) return this.redConfirmState(orderNo);
    switch (item.status) {
      case STATUS.issued:
        return { status: 'issued', invoice: await this.issued(item) };
      case STATUS.failed:
      case STATUS.sealFailed:
      case STATUS.voided:
      case STATUS.voiding:
        return { status: 'failed', code: `Status.${item.status}`, message: item.failCause || item.statusMsg || STATUS_MESSAGES[item.status] || '开票失败' };
      default:
        return { status: 'pending', message: item.statusMsg || STATUS_MESSAGES[item.status] || '开票中' };
    }
  }

  /** A repeated 订单号: the invoice of that number, if it is the one asked for now. */
  private async alreadySubmitted(orderNo: string, amounts: InvoiceAmounts): Promise<{ serialNo: string }> {
    const answer = await this.call(METHODS.query, { orderNos: [orderNo], isOfferInvoiceDetail: '0' });
    const item = answer.code === CODES.success ? this.parsed(queryResultSchema, answer, '发票查询').find((i) => i.orderNo === orderNo) : undefined;
    if (item === undefined) {
      // Submitted a moment ago and not yet visible: the next attempt will find it.
      throw new EInvoiceError(`订单号 ${orderNo} 已提交，平台尚未返回该发票，请稍后重试`, CODES.duplicateOrder, true);
    }
    if (item.orderAmount !== undefined && parseYuanText(item.orderAmount) !== amounts.totalFen) {
      throw new EInvoiceError(`订单号 ${orderNo} 已用于另一张发票（价税合计 ${item.orderAmount} 元）`, CODES.duplicateOrder, false);
    }
    return { serialNo: item.serialNo };
  }

  /** No invoice under `orderNo`: a red one may still be on its way through its 红字确认单. */
  private async redConfirmState(orderNo: string): Promise<InvoiceResult> {
    const form = await this.redConfirm(orderNo);
    if (form === undefined) return { status: 'not_found' };
    const state = BILL_STATUS[form.billStatus] ?? `状态 ${form.billStatus}`;
    if (BILL_VOID.has(form.billStatus)) return { status: 'failed', code: `RedConfirm.${form.billStatus}`, message: form.billMessage || `红字确认单${state}` };
    return { status: 'pending', message: `红字确认单${state}，红字发票开具中` };
  }

  private async redConfirm(billId: string): Promise<RedConfirm | undefined> {
    const answer = await this.call(METHODS.queryRedConfirm, { identity: '0', billId });
    if (answer.code === CODES.notFound) return undefined;
    if (answer.code !== CODES.success) throw refused('红字确认单查询', answer);
    return this.parsed(queryRedConfirmResultSchema, answer, '红字确认单查询').list.find((f) => f.billId === billId);
  }

  private async issued(item: QueryItem): Promise<IssuedInvoice> {
    const number = item.allElectronicInvoiceNumber || item.invoiceNo;
    const kind = kindOfLine(item.invoiceLine ?? item.invoiceKind ?? '');
    const amounts = {
      totalFen: parseYuanText(item.orderAmount ?? ''),
      amountFen: parseYuanText(item.exTaxAmount ?? ''),
      taxFen: parseYuanText(item.taxAmount ?? ''),
    };
    const issuedAt = item.invoiceTime === undefined ? undefined : new Date(Number(item.invoiceTime));
    if (!number || kind === undefined || !item.pdfUrl || amounts.totalFen === undefined || amounts.amountFen === undefined || amounts.taxFen === undefined || issuedAt === undefined || Number.isNaN(issuedAt.getTime())) {
      throw new EInvoiceError(`发票查询返回的已开具发票缺少号码、票种、金额、开票时间或版式文件地址（订单号 ${item.orderNo}）`, 'BadAnswer', false);
    }
    const [pdf, ofd, xml] = await Promise.all([
      this.download(item.pdfUrl, 'PDF'),
      item.ofdUrl ? this.download(item.ofdUrl, 'OFD') : undefined,
      item.xmlUrl ? this.download(item.xmlUrl, 'XML') : undefined,
    ]);
    if (Buffer.from(pdf.subarray(0, 5)).toString('latin1') !== '%PDF-') {
      throw new EInvoiceError(`发票 ${number} 的 PDF 文件无法识别`, 'FileDownload', true);
    }
    return {
      orderNo: item.orderNo,
      serialNo: item.serialNo,
      number,
      issuedAt,
      kind,
      red: item.invoiceType === '2' || amounts.totalFen < 0,
      ...(item.oldEleInvoiceNumber ? { originalNumber: item.oldEleInvoiceNumber } : {}),
      amounts: { totalFen: amounts.totalFen, amountFen: amounts.amountFen, taxFen: amounts.taxFen },
      buyerName: item.payerName ?? '',
      buyerTaxNumber: item.payerTaxNo ?? '',
      pdf,
      pdfUrl: item.pdfUrl,
      ...(ofd ? { ofd } : {}),
      ...(xml ? { xml } : {}),
    };
  }

  /** A file the platform keeps for an issued invoice; failing to get it is worth another try. */
  private async download(url: string, what: string): Promise<Uint8Array> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (!res.ok) throw new EInvoiceError(`发票${what}文件下载失败（HTTP ${res.status}）`, 'FileDownload', true, res.status);
      return bytes;
    } catch (err) {
      if (err instanceof EInvoiceError) throw err;
      throw new EInvoiceError(`发票${what}文件下载失败：${transportDetail(err)}`, 'FileDownload', true);
    }
  }

  private parsed<T>(schema: z.ZodType<T>, answer: Envelope, what: string): T {
    const result = schema.safeParse(answer.result);
    if (!result.success) throw new EInvoiceError(`${what}返回的结果无法识别`, 'BadAnswer', false);
    return result.data;
  }

  /** One signed call; resolves with the platform's envelope, whatever its code. */
  private async call(method: string, payload: unknown, retriedToken = false): Promise<Envelope> {
    const body = JSON.stringify(payload);
    const token = await this.token();
    const senid = newSenid();
    const nonce = newNonce();
    const timestamp = unixSeconds(this.now());
    const url = new URL(this.endpoint);
    url.search = new URLSearchParams({ senid, nonce, timestamp, appkey: this.config.appKey }).toString();
    const sign = nuonuoSign(this.config.appSecret, { path: url.pathname, appKey: this.config.appKey, senid, nonce, timestamp, body });
    let res: Response;
    let text: string;
    try {
      // The signal also covers reading the body: a platform that stalls mid-answer cannot hold a job.
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json;charset=UTF-8',
          'X-Nuonuo-Sign': sign,
          accessToken: token,
          userTax: this.config.seller.taxNumber,
          method,
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      if (isTimeout(err)) throw new EInvoiceError(`电子发票平台在 ${this.timeoutMs} 毫秒内未响应（${method}）`, 'Timeout', true);
      throw new EInvoiceError(`无法连接电子发票平台：${transportDetail(err)}（${method}）`, 'NetworkError', true);
    }
    if (res.status < 200 || res.status > 299) {
      throw new EInvoiceError(`电子发票平台返回 HTTP ${res.status}（${method}）`, `HttpStatus.${res.status}`, res.status >= 500 || res.status === 429, res.status);
    }
    const envelope = envelopeSchema.safeParse(parseJson(text));
    // A 200 that is not the platform's JSON comes from something in between (a proxy's error page).
    if (!envelope.success) throw new EInvoiceError(`电子发票平台的应答无法识别（${method}）`, 'BadAnswer', true, res.status);
    if (envelope.data.code === CODES.badToken && this.fetched !== undefined && !retriedToken) {
      this.fetched = undefined;
      return this.call(method, payload, true);
    }
    return envelope.data;
  }

  private async token(): Promise<string> {
    if (this.config.accessToken) return this.config.accessToken;
    if (this.fetched !== undefined && this.now().getTime() < this.fetched.renewAt) return this.fetched.token;
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body: new URLSearchParams({ client_id: this.config.appKey, client_secret: this.config.appSecret, grant_type: 'client_credentials' }).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      if (isTimeout(err)) throw new EInvoiceError(`获取电子发票平台访问令牌超时（${this.timeoutMs} 毫秒）`, 'Timeout', true);
      throw new EInvoiceError(`获取电子发票平台访问令牌失败：${transportDetail(err)}`, 'NetworkError', true);
    }
    const answer = tokenAnswerSchema.safeParse(parseJson(text));
    if (!res.ok || !answer.success) {
      const retryable = res.status >= 500 || res.status === 429;
      throw new EInvoiceError(`电子发票平台拒绝发放访问令牌（HTTP ${res.status}），请检查 appKey 与 appSecret`, 'Token', retryable, res.status);
    }
    this.fetched = { token: answer.data.access_token, renewAt: this.now().getTime() + answer.data.expires_in * 1000 - TOKEN_MARGIN_MS };
    return this.fetched.token;
  }
}

function checkOrderNo(orderNo: string): void {
  if (!ORDER_NO.test(orderNo)) throw new EInvoiceError(`订单号应为1至20位字母或数字：${orderNo}`, 'BadRequest', false);
}

function refused(what: string, answer: Envelope): EInvoiceError {
  const why = answer.describe && answer.describe.length > 300 ? `${answer.describe.slice(0, 300)}…` : answer.describe || '未说明原因';
  return new EInvoiceError(`${what}被电子发票平台拒绝：${why}（${answer.code}）`, answer.code, isRetryableCode(answer.code));
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

function transportDetail(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
  if (cause && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}
