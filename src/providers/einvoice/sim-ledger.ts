/**
 * The simulator's invoices and 红字确认单, and the platform's rules for accepting them: the order
 * checked field by field (the buyer through the same domain rules CertDesk uses, the amounts
 * against the 0.06 元 tolerance), 订单号 unique, the 20-digit 数电票 numbers handed out in order,
 * a full reversal only of an issued blue invoice not reversed yet. In memory: it is a simulator.
 */
import { randomBytes } from 'node:crypto';
import { type InvoiceAmounts, negateAmounts, parseTaxRate, parseYuanText, taxWithinTolerance } from '../../domain/invoice-amounts.ts';
import { describeBuyerProblems, invoiceBuyerProblems, type InvoiceKind } from '../../domain/invoice-buyer.ts';
import { BILL_VOID, CODES, ORDER_NO, STATUS, kindOfLine, type Order, type SaveRedConfirmBody } from './protocol.ts';
import type { InvoiceSeller } from './types.ts';

export interface Refusal {
  code: string;
  describe: string;
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'describe' in value && 'code' in value && !('serialNo' in value);
}

const refuse = (describe: string, code: string = CODES.badParameter): Refusal => ({ code, describe });

export interface SimulatedLine {
  goodsName: string;
  goodsCode: string;
  taxRateBp: number;
  unit: string;
  num: string;
  amounts: InvoiceAmounts;
}

export interface SimulatedInvoice {
  serialNo: string;
  orderNo: string;
  line: 'pc' | 'bs';
  kind: InvoiceKind;
  red: boolean;
  /** queryInvoiceResult's status: 20 开票中, 2 开票完成, 22 开票失败, 24 签章失败. */
  status: string;
  failCause?: string;
  /** Set once issued. */
  number?: string;
  issuedAt?: Date;
  acceptedAt: Date;
  /** 订单时间 as sent. */
  orderDate: string;
  buyer: { name: string; taxNumber: string; address: string; phone: string; bankAccount: string };
  seller: InvoiceSeller;
  lines: SimulatedLine[];
  amounts: InvoiceAmounts;
  clerk: string;
  remark: string;
  /** A red invoice: the blue one it reverses, and its 红字确认单. */
  originalNumber?: string;
  redReason?: string;
  confirmation?: { billId: string; billNo: string };
  /** Capability token of the files, set once issued: GET <prefix>/files/<token>.pdf | .xml */
  fileToken?: string;
}

export interface SimulatedRedConfirm {
  billId: string;
  billNo: string;
  billUuid: string;
  billStatus: string;
  blueNumber: string;
  blueLine: 'pc' | 'bs';
  redReason: string;
  orderNo: string;
  redSerialNo: string;
  sellerTaxNo: string;
  sellerName: string;
  buyerName: string;
  buyerTaxNo: string;
  createdAt: Date;
  amounts: InvoiceAmounts;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** yyMMddHHmmss in Asia/Shanghai. */
function stamp(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(2, 14);
}

export class SimLedger {
  private readonly invoices: SimulatedInvoice[] = [];
  private readonly byOrder = new Map<string, SimulatedInvoice>();
  private readonly bySerial = new Map<string, SimulatedInvoice>();
  private readonly byNumber = new Map<string, SimulatedInvoice>();
  private readonly byToken = new Map<string, SimulatedInvoice>();
  private readonly forms = new Map<string, SimulatedRedConfirm>();
  private sequence = 0;
  private serials = 0;

  constructor(
    private readonly seller: InvoiceSeller,
    /** Invoices kept; the oldest are forgotten past this, so a long demo cannot grow without end. */
    private readonly capacity = 2000,
  ) {}

  /** requestBillingNew: a blue 数电票 accepted for issuing, or why not. */
  accept(order: Order, now: Date): SimulatedInvoice | Refusal {
    if (!ORDER_NO.test(order.orderNo)) return refuse('订单号不合法：应为1至20位字母或数字');
    if (this.byOrder.has(order.orderNo)) return refuse('订单编号或流水号不能重复', CODES.duplicateOrder);
    if (order.invoiceType === '2') return refuse('数电发票不能通过本接口开具红票，请先申请红字确认单');
    const kind = kindOfLine(order.invoiceLine);
    if (kind === undefined) return refuse(`不支持的发票种类：${order.invoiceLine}（本平台只开具数电票 pc、bs）`);
    if (order.salerTaxNum !== this.seller.taxNumber) return refuse('销方税号与授权企业税号不一致');
    if (!order.clerk?.trim()) return refuse('开票员不能为空（数电发票须传入开票员姓名）');
    if (!DATE_TIME.test(order.invoiceDate)) return refuse('订单时间格式应为 yyyy-MM-dd HH:mm:ss');
    if ([...(order.remark ?? '')].length > 200) return refuse('备注不能超过200个字符');

    const account = (order.buyerAccount ?? '').trim();
    const split = account.lastIndexOf(' ');
    const buyerProblems = invoiceBuyerProblems(kind, {
      name: order.buyerName,
      taxNumber: order.buyerTaxNum ?? '',
      address: order.buyerAddress,
      phone: order.buyerTel,
      bank: split > 0 ? account.slice(0, split) : account,
      account: split > 0 ? account.slice(split + 1) : undefined,
    });
    if (buyerProblems.length > 0) return refuse(describeBuyerProblems(buyerProblems));

    if (order.invoiceDetail.length === 0) return refuse('发票明细不能为空');
    const lines: SimulatedLine[] = [];
    for (const [i, d] of order.invoiceDetail.entries()) {
      const row = `第${i + 1}行明细`;
      if (!d.goodsName.trim()) return refuse(`${row}商品名称不能为空`);
      if (!/^\d{19}$/.test(d.goodsCode)) return refuse(`${row}商品编码应为19位税收分类编码`);
      const taxRateBp = parseTaxRate(d.taxRate);
      if (taxRateBp === undefined) return refuse(`${row}税率不合法：${d.taxRate}`);
      const amounts = {
        totalFen: parseYuanText(d.taxIncludedAmount),
        amountFen: parseYuanText(d.taxExcludedAmount),
        taxFen: parseYuanText(d.tax),
      };
      if (amounts.totalFen === undefined || amounts.amountFen === undefined || amounts.taxFen === undefined) {
        return refuse(`${row}金额格式不正确（应为最多两位小数的金额）`);
      }
      if (amounts.totalFen <= 0 || amounts.amountFen <= 0 || amounts.taxFen < 0) return refuse(`${row}蓝票金额必须大于0`);
      if (amounts.amountFen + amounts.taxFen !== amounts.totalFen) return refuse(`${row}不含税金额与税额之和不等于含税金额`);
      if (!taxWithinTolerance(amounts.amountFen, amounts.taxFen, taxRateBp)) return refuse(`${row}税额与不含税金额×税率的误差超过0.06元`);
      lines.push({
        goodsName: d.goodsName.trim(),
        goodsCode: d.goodsCode,
        taxRateBp,
        unit: d.unit ?? '',
        num: d.num ?? '',
        amounts: { totalFen: amounts.totalFen, amountFen: amounts.amountFen, taxFen: amounts.taxFen },
      });
    }
    return this.add({
      serialNo: this.nextSerial(now),
      orderNo: order.orderNo,
      line: kind === 'normal' ? 'pc' : 'bs',
      kind,
      red: false,
      status: STATUS.issuing,
      acceptedAt: now,
      orderDate: order.invoiceDate,
      buyer: {
        name: order.buyerName.trim(),
        taxNumber: (order.buyerTaxNum ?? '').trim().toUpperCase(),
        address: order.buyerAddress?.trim() ?? '',
        phone: order.buyerTel?.trim() ?? '',
        bankAccount: account,
      },
      seller: this.seller,
      lines,
      amounts: sum(lines.map((l) => l.amounts)),
      clerk: order.clerk.trim(),
      remark: order.remark?.trim() ?? '',
    });
  }

  /**
   * saveInvoiceRedConfirm by the seller for a full reversal. Unless the buyer must confirm (a
   * 专票 the buyer has already used), the form needs nobody's confirmation (01 无需确认) and its
   * red invoice is accepted for issuing at once; otherwise it waits (02 销方录入待购方确认).
   */
  applyRed(body: SaveRedConfirmBody, now: Date, needsBuyer = false): { form: SimulatedRedConfirm; invoice?: SimulatedInvoice } | Refusal {
    if (body.applySource !== '0') return refuse('本平台仅支持销方申请红字确认单');
    if (body.detail !== undefined && body.detail.length > 0) return refuse('本平台仅支持全额冲红（不传明细）');
    if (body.sellerTaxNo !== this.seller.taxNumber) return refuse('销方税号与授权企业税号不一致');
    const number = body.blueElecInvoiceNumber || body.blueInvoiceNumber || '';
    const blue = this.byNumber.get(number);
    if (blue === undefined || blue.red || blue.status !== STATUS.issued) return refuse(`蓝字发票 ${number || '（未填写）'} 不存在或未开具完成`);
    if (body.blueInvoiceLine !== blue.line) return refuse('对应蓝票发票种类与蓝字发票不一致');
    if (body.buyerName.trim() !== blue.buyer.name || (body.buyerTaxNo && body.buyerTaxNo.trim().toUpperCase() !== blue.buyer.taxNumber)) {
      return refuse('购方名称或税号与蓝字发票不一致');
    }
    const billId = body.billId || `${stamp(now)}${randomDigits(8)}`;
    if (this.forms.has(billId)) return refuse('红字确认单申请号不能重复', CODES.duplicateOrder);
    const orderNo = body.orderNo || billId.slice(0, 20);
    if (!ORDER_NO.test(orderNo)) return refuse('订单号不合法：应为1至20位字母或数字');
    if (this.byOrder.has(orderNo)) return refuse('订单编号或流水号不能重复', CODES.duplicateOrder);
    const active = [...this.forms.values()].find((f) => f.blueNumber === number && !BILL_VOID.has(f.billStatus));
    if (active !== undefined) return refuse(`该蓝字发票已申请红字确认单（${active.billNo}），不能重复冲红`);

    const form: SimulatedRedConfirm = {
      billId,
      billNo: `${number.slice(0, 4)}${stamp(now).slice(0, 6)}${randomDigits(6)}`,
      billUuid: randomBytes(16).toString('hex'),
      billStatus: needsBuyer ? '02' : '01',
      blueNumber: number,
      blueLine: blue.line,
      redReason: body.redReason,
      orderNo,
      redSerialNo: '',
      sellerTaxNo: this.seller.taxNumber,
      sellerName: this.seller.name,
      buyerName: blue.buyer.name,
      buyerTaxNo: blue.buyer.taxNumber,
      createdAt: now,
      amounts: negateAmounts(blue.amounts),
    };
    this.forms.set(billId, form);
    return needsBuyer ? { form } : { form, invoice: this.redInvoiceOf(form, blue, now) };
  }

  /** The buyer confirms (04 购销双方已确认: the red invoice follows) or denies (05 作废) a form waiting for it. */
  answerRed(billId: string, agree: boolean, now: Date): SimulatedInvoice | undefined {
    const form = this.forms.get(billId);
    const blue = form === undefined ? undefined : this.byNumber.get(form.blueNumber);
    if (form === undefined || blue === undefined || form.billStatus !== '02') throw new Error(`no 红字确认单 ${billId} waits for the buyer`);
    form.billStatus = agree ? '04' : '05';
    return agree ? this.redInvoiceOf(form, blue, now) : undefined;
  }

  /** The red invoice of a confirmed form: the blue one's lines, negated. */
  private redInvoiceOf(form: SimulatedRedConfirm, blue: SimulatedInvoice, now: Date): SimulatedInvoice {
    const invoice = this.add({
      serialNo: this.nextSerial(now),
      orderNo: form.orderNo,
      line: blue.line,
      kind: blue.kind,
      red: true,
      status: STATUS.issuing,
      acceptedAt: now,
      orderDate: '',
      buyer: blue.buyer,
      seller: blue.seller,
      lines: blue.lines.map((l) => ({ ...l, num: l.num ? `-${l.num}` : '', amounts: negateAmounts(l.amounts) })),
      amounts: negateAmounts(blue.amounts),
      clerk: blue.clerk,
      remark: `被红冲蓝字数电发票号码：${blue.number ?? ''} 红字发票信息确认单编号：${form.billNo}`,
      originalNumber: form.blueNumber,
      redReason: form.redReason,
      confirmation: { billId: form.billId, billNo: form.billNo },
    });
    form.redSerialNo = invoice.serialNo;
    return invoice;
  }

  /** The invoice is issued: its number is the next of the year and the seller's province. */
  complete(invoice: SimulatedInvoice, now: Date, fileToken: string): void {
    this.sequence += 1;
    // 20 digits: year (2), province of the seller's 统一社会信用代码 (2), 开具渠道 (1), sequence (15).
    const year = String(new Date(now.getTime() + 8 * 3600_000).getUTCFullYear()).slice(2);
    const province = invoice.seller.taxNumber.slice(2, 4);
    invoice.number = `${year}${province}2${String(this.sequence).padStart(15, '0')}`;
    invoice.issuedAt = now;
    invoice.status = STATUS.issued;
    invoice.fileToken = fileToken;
    this.byNumber.set(invoice.number, invoice);
    this.byToken.set(fileToken, invoice);
  }

  fail(invoice: SimulatedInvoice, status: string, cause: string): void {
    invoice.status = status;
    invoice.failCause = cause;
  }

  order(orderNo: string): SimulatedInvoice | undefined {
    return this.byOrder.get(orderNo);
  }

  serial(serialNo: string): SimulatedInvoice | undefined {
    return this.bySerial.get(serialNo);
  }

  byFileToken(token: string): SimulatedInvoice | undefined {
    return this.byToken.get(token);
  }

  redForms(filter: { billId?: string; billNo?: string; billUuid?: string }): SimulatedRedConfirm[] {
    return [...this.forms.values()].filter(
      (f) =>
        (filter.billId === undefined || f.billId === filter.billId) &&
        (filter.billNo === undefined || f.billNo === filter.billNo) &&
        (filter.billUuid === undefined || f.billUuid === filter.billUuid),
    );
  }

  /** Newest first. */
  list(): SimulatedInvoice[] {
    return [...this.invoices].reverse();
  }

  private add(invoice: SimulatedInvoice): SimulatedInvoice {
    this.invoices.push(invoice);
    this.byOrder.set(invoice.orderNo, invoice);
    this.bySerial.set(invoice.serialNo, invoice);
    while (this.invoices.length > this.capacity) {
      const old = this.invoices.shift()!;
      this.byOrder.delete(old.orderNo);
      this.bySerial.delete(old.serialNo);
      if (old.number !== undefined) this.byNumber.delete(old.number);
      if (old.fileToken !== undefined) this.byToken.delete(old.fileToken);
      if (old.confirmation !== undefined) this.forms.delete(old.confirmation.billId);
    }
    return invoice;
  }

  /** 发票请求流水号: 20 digits, the time of the request and a counter. */
  private nextSerial(now: Date): string {
    this.serials += 1;
    return `${stamp(now)}${String(this.serials % 100_000_000).padStart(8, '0')}`;
  }
}

function sum(parts: InvoiceAmounts[]): InvoiceAmounts {
  return parts.reduce((a, b) => ({ totalFen: a.totalFen + b.totalFen, amountFen: a.amountFen + b.amountFen, taxFen: a.taxFen + b.taxFen }), {
    totalFen: 0,
    amountFen: 0,
    taxFen: 0,
  });
}

function randomDigits(n: number): string {
  return Array.from(randomBytes(n), (b) => String(b % 10)).join('');
}
