/**
 * The files the simulated platform gives for an issued invoice: a PDF in the layout of the
 * 数电票 (电子发票（普通发票）/（增值税专用发票）: QR code, 发票号码 and 开票日期; 购买方 and 销售方
 * with 名称 and 统一社会信用代码/纳税人识别号; the lines with 项目名称, 金额, 税率/征收率, 税额;
 * 合计; 价税合计（大写）and（小写）; 备注; 开票人) drawn with CertDesk's PDF primitives, and an XML
 * modelled on the 数电票 XML. What the simulator prints is exactly what it was sent.
 */
import { rgb, type PDFPage } from '@cantoo/pdf-lib';
import QRCode from 'qrcode';
import { percentTaxRate, uppercaseYuan, yuanText } from '../../domain/invoice-amounts.ts';
import { invoiceKindTitles } from '../../domain/invoice-buyer.ts';
import { chineseDate } from '../../pdf/dates.ts';
import { finishDocument, startDocument, type DocumentInfo } from '../../pdf/document.ts';
import { BLACK, Sheet, type TextStyle } from '../../pdf/layout.ts';
import type { SimulatedInvoice } from './sim-ledger.ts';

/** 241 mm × 140 mm, the size of the invoice form. */
const WIDTH = (241 / 25.4) * 72;
const HEIGHT = (140 / 25.4) * 72;
const MARGIN = 28;
/** The brown-red of the form's frame and labels. */
const FORM = rgb(0.62, 0.27, 0.13);
const LABEL: TextStyle = { size: 9, color: FORM };
const VALUE: TextStyle = { size: 9 };
const SMALL: TextStyle = { size: 8 };

function issuedOf(invoice: SimulatedInvoice): { number: string; issuedAt: Date } {
  if (invoice.number === undefined || invoice.issuedAt === undefined) throw new Error(`invoice ${invoice.serialNo} is not issued`);
  return { number: invoice.number, issuedAt: invoice.issuedAt };
}

/** 项目名称 as printed: *简称*名称 (the classification's 简称 before the name). */
export function printedGoodsName(goodsName: string): string {
  return goodsName.includes('*') && !goodsName.startsWith('*') ? `*${goodsName}` : goodsName;
}

/** The QR code's text, modelled on the 数电票's: 01, 票种 (31 专票 / 32 普票), 号码, 价税合计, 日期. */
export function qrText(invoice: SimulatedInvoice): string {
  const { number, issuedAt } = issuedOf(invoice);
  const day = new Date(issuedAt.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
  return `01,${invoice.kind === 'special' ? '31' : '32'},,${number},${yuanText(invoice.amounts.totalFen)},${day},,`;
}

/** Text drawn with its right edge at `right`. */
function rightText(sheet: Sheet, text: string, right: number, baseline: number, style: TextStyle): void {
  sheet.text(text, right - sheet.textWidth(text, style), baseline, style);
}

/** Characters one under the other, centred in the column [x, x + width] from `top` to `bottom`. */
function verticalLabel(sheet: Sheet, text: string, x: number, width: number, top: number, bottom: number): void {
  const chars = [...text];
  const step = Math.min(11, (top - bottom) / chars.length);
  let y = (top + bottom) / 2 + (step * chars.length) / 2 - step / 2;
  for (const ch of chars) {
    sheet.text(ch, x + (width - sheet.textWidth(ch, LABEL)) / 2, sheet.baselineFor(y, LABEL.size), LABEL);
    y -= step;
  }
}

/** ⊗, drawn: neither the CJK font nor Helvetica has the glyph. */
function circledTimes(page: PDFPage, cx: number, cy: number, r: number): void {
  page.drawCircle({ x: cx, y: cy, size: r, borderColor: BLACK, borderWidth: 0.6 });
  const d = r * Math.SQRT1_2;
  page.drawLine({ start: { x: cx - d, y: cy - d }, end: { x: cx + d, y: cy + d }, thickness: 0.6, color: BLACK });
  page.drawLine({ start: { x: cx - d, y: cy + d }, end: { x: cx + d, y: cy - d }, thickness: 0.6, color: BLACK });
}

function party(sheet: Sheet, title: string, name: string, taxNumber: string, x: number, width: number, top: number, height: number): void {
  const labelWidth = 20;
  sheet.line(x + labelWidth, top, x + labelWidth, top - height, 0.6, FORM);
  verticalLabel(sheet, title, x, labelWidth, top - 4, top - height + 4);
  const left = x + labelWidth + 6;
  const inner = width - labelWidth - 12;
  let y = top - 8;
  for (const [label, value] of [['名称：', name], ['统一社会信用代码/纳税人识别号：', taxNumber]] as const) {
    const end = sheet.text(label, left, sheet.baselineFor(y - 7, LABEL.size), LABEL);
    const lines = sheet.wrap(value, left + inner - end, VALUE.size);
    for (const line of lines) {
      sheet.text(line, end, sheet.baselineFor(y - 7, VALUE.size), VALUE);
      y -= 14;
    }
    y -= 6;
  }
}

/** The invoice as a one-page PDF. */
export async function renderInvoicePdf(invoice: SimulatedInvoice, fontPath?: string): Promise<Uint8Array> {
  const { number, issuedAt } = issuedOf(invoice);
  const title = invoiceKindTitles[invoice.kind];
  const info: DocumentInfo = {
    title: `${title} ${number}`,
    author: invoice.seller.name,
    subject: `${invoice.buyer.name} · ${yuanText(invoice.amounts.totalFen)} 元`,
    keywords: [number, invoice.buyer.taxNumber, invoice.seller.taxNumber],
    createdAt: issuedAt,
  };
  const { doc, type } = await startDocument(info, fontPath);
  const page = doc.addPage([WIDTH, HEIGHT]);
  const sheet = new Sheet(page, type, 1, true, { left: MARGIN, right: MARGIN, top: 20, bottom: MARGIN });
  const L = sheet.left;
  const R = sheet.right;
  const W = R - L;

  // Heading: QR code, title with its double rule, number and date.
  const qr = await doc.embedPng(await QRCode.toBuffer(qrText(invoice), { margin: 0, width: 180, errorCorrectionLevel: 'M' }));
  page.drawImage(qr, { x: L, y: HEIGHT - 20 - 58, width: 58, height: 58 });
  const heading: TextStyle = { size: 19, bold: true, color: FORM, spacing: 1.5 };
  const titleWidth = sheet.textWidth(title, heading);
  const titleX = L + (W - titleWidth) / 2;
  const titleBaseline = HEIGHT - 50;
  sheet.text(title, titleX, titleBaseline, heading);
  sheet.line(titleX - 4, titleBaseline - 7, titleX + titleWidth + 4, titleBaseline - 7, 0.8, FORM);
  sheet.line(titleX - 4, titleBaseline - 9.5, titleX + titleWidth + 4, titleBaseline - 9.5, 0.8, FORM);
  const infoX = R - 170;
  for (const [i, [label, value]] of ([['发票号码：', number], ['开票日期：', chineseDate(issuedAt)]] as const).entries()) {
    const baseline = HEIGHT - 42 - i * 16;
    const end = sheet.text(label, infoX, baseline, LABEL);
    sheet.text(value, end, baseline, VALUE);
  }

  const top = HEIGHT - 92;
  const partiesHeight = 62;
  const itemsHeight = 92;
  const totalHeight = 22;
  const remarkHeight = 50;
  const bottom = top - partiesHeight - itemsHeight - totalHeight - remarkHeight;
  sheet.rect(L, top, W, top - bottom, { border: FORM, borderWidth: 0.9 });

  // 购买方 / 销售方
  const half = W / 2;
  sheet.line(L + half, top, L + half, top - partiesHeight, 0.6, FORM);
  party(sheet, '购买方信息', invoice.buyer.name, invoice.buyer.taxNumber, L, half, top, partiesHeight);
  party(sheet, '销售方信息', invoice.seller.name, invoice.seller.taxNumber, L + half, half, top, partiesHeight);
  let y = top - partiesHeight;
  sheet.line(L, y, R, y, 0.6, FORM);

  // The lines: no column rules, as the 数电票 prints them.
  const columns: Array<{ title: string; width: number; align: 'left' | 'right' | 'centre' }> = [
    { title: '项目名称', width: 0.27, align: 'left' },
    { title: '规格型号', width: 0.11, align: 'centre' },
    { title: '单位', width: 0.06, align: 'centre' },
    { title: '数量', width: 0.08, align: 'right' },
    { title: '单价', width: 0.12, align: 'right' },
    { title: '金额', width: 0.13, align: 'right' },
    { title: '税率/征收率', width: 0.1, align: 'centre' },
    { title: '税额', width: 0.13, align: 'right' },
  ];
  const edges: number[] = [];
  let x = L;
  for (const c of columns) {
    edges.push(x);
    x += c.width * W;
  }
  const cell = (i: number, text: string, baseline: number, style: TextStyle) => {
    const c = columns[i]!;
    const left = edges[i]! + 5;
    const right = edges[i]! + c.width * W - 5;
    if (c.align === 'left') sheet.text(text, left, baseline, style);
    else if (c.align === 'right') rightText(sheet, text, right, baseline, style);
    else sheet.text(text, (left + right - sheet.textWidth(text, style)) / 2, baseline, style);
  };
  columns.forEach((c, i) => cell(i, c.title, sheet.baselineFor(y - 9, LABEL.size), LABEL));
  y -= 20;
  for (const line of invoice.lines) {
    const baseline = sheet.baselineFor(y - 7, VALUE.size);
    // 单价 is positive on a red invoice too: the 数量 carries the sign.
    const unitPrice = line.num && Number(line.num) !== 0 ? yuanText(Math.round(Math.abs(line.amounts.amountFen) / Math.abs(Number(line.num)))) : '';
    const nameLines = sheet.wrap(printedGoodsName(line.goodsName), columns[0]!.width * W - 10, VALUE.size);
    nameLines.forEach((text, i) => cell(0, text, baseline - i * 12, VALUE));
    cell(2, line.unit, baseline, VALUE);
    cell(3, line.num, baseline, VALUE);
    cell(4, unitPrice, baseline, VALUE);
    cell(5, yuanText(line.amounts.amountFen), baseline, VALUE);
    cell(6, percentTaxRate(line.taxRateBp), baseline, VALUE);
    cell(7, yuanText(line.amounts.taxFen), baseline, VALUE);
    y -= 12 * nameLines.length + 4;
  }
  const totalsBaseline = sheet.baselineFor(top - partiesHeight - itemsHeight + 10, VALUE.size);
  sheet.text('合', edges[0]! + 30, totalsBaseline, LABEL);
  sheet.text('计', edges[0]! + 52, totalsBaseline, LABEL);
  cell(5, `¥${yuanText(invoice.amounts.amountFen)}`, totalsBaseline, VALUE);
  cell(7, `¥${yuanText(invoice.amounts.taxFen)}`, totalsBaseline, VALUE);
  y = top - partiesHeight - itemsHeight;
  sheet.line(L, y, R, y, 0.6, FORM);

  // 价税合计
  const totalBaseline = sheet.baselineFor(y - totalHeight / 2, VALUE.size);
  const labelEnd = sheet.text('价税合计（大写）', L + 6, totalBaseline, LABEL);
  sheet.line(labelEnd + 6, y, labelEnd + 6, y - totalHeight, 0.6, FORM);
  circledTimes(page, labelEnd + 20, y - totalHeight / 2, 4.2);
  sheet.text(uppercaseYuan(invoice.amounts.totalFen), labelEnd + 30, totalBaseline, VALUE);
  const small = `¥${yuanText(invoice.amounts.totalFen)}`;
  rightText(sheet, small, R - 8, totalBaseline, VALUE);
  rightText(sheet, '（小写）', R - 12 - sheet.textWidth(small, VALUE), totalBaseline, LABEL);
  y -= totalHeight;
  sheet.line(L, y, R, y, 0.6, FORM);

  // 备注: the remark and, on a 专票, the buyer's address, phone and bank.
  sheet.line(L + 20, y, L + 20, bottom, 0.6, FORM);
  verticalLabel(sheet, '备注', L, 20, y - 4, bottom + 4);
  const remarks = [invoice.remark];
  if (invoice.kind === 'special') {
    remarks.push(`购方地址：${invoice.buyer.address}；电话：${invoice.buyer.phone}；购方开户银行及账号：${invoice.buyer.bankAccount}`);
  }
  sheet.paragraphAt(remarks.filter((r) => r !== '').join('\n'), L + 26, y - 4, W - 32, SMALL);

  const footBaseline = bottom - 16;
  const clerkEnd = sheet.text('开票人：', L + 40, footBaseline, LABEL);
  sheet.text(invoice.clerk, clerkEnd, footBaseline, VALUE);
  return finishDocument(doc, info);
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** The invoice as XML, modelled on the 数电票 XML (EInvoice / Header / EInvoiceData …). */
export function renderInvoiceXml(invoice: SimulatedInvoice): string {
  const { number, issuedAt } = issuedOf(invoice);
  const e = (tag: string, value: string) => `<${tag}>${xmlEscape(value)}</${tag}>`;
  const items = invoice.lines
    .map(
      (l) =>
        `<IssuItemInformation>${e('ItemName', printedGoodsName(l.goodsName))}${e('MeaUnits', l.unit)}${e('Quantity', l.num)}${e('Amount', yuanText(l.amounts.amountFen))}` +
        `${e('TaxRate', percentTaxRate(l.taxRateBp))}${e('ComTaxAm', yuanText(l.amounts.taxFen))}${e('TotaltaxIncludedAmount', yuanText(l.amounts.totalFen))}${e('TaxClassificationCode', l.goodsCode)}</IssuItemInformation>`,
    )
    .join('');
  const issued = new Date(issuedAt.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<EInvoice><Header>${e('EIid', number)}${e('EInvoiceTag', 'SWEI')}${e('Version', '0.1')}</Header>` +
    `<EInvoiceData><SellerInformation>${e('SellerIdNum', invoice.seller.taxNumber)}${e('SellerName', invoice.seller.name)}</SellerInformation>` +
    `<BuyerInformation>${e('BuyerIdNum', invoice.buyer.taxNumber)}${e('BuyerName', invoice.buyer.name)}</BuyerInformation>` +
    `<BasicInformation>${e('InvoiceType', invoiceKindTitles[invoice.kind])}${e('TotalAmWithoutTax', yuanText(invoice.amounts.amountFen))}${e('TotalTaxAm', yuanText(invoice.amounts.taxFen))}` +
    `${e('TotalTax-includedAmount', yuanText(invoice.amounts.totalFen))}${e('TotalTax-includedAmountInChinese', uppercaseYuan(invoice.amounts.totalFen))}${e('Drawer', invoice.clerk)}</BasicInformation>` +
    `${items}<AdditionalInformation>${e('Remark', invoice.remark)}${invoice.originalNumber ? e('BlueInvoiceNumber', invoice.originalNumber) : ''}</AdditionalInformation></EInvoiceData>` +
    `<TaxSupervisionInfo>${e('InvoiceNumber', number)}${e('IssueTime', issued)}</TaxSupervisionInfo></EInvoice>\n`
  );
}
