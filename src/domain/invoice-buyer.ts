/**
 * The 购买方 of an invoice as the e-invoice platform needs it, and the rules a buyer must meet
 * before an invoice is asked for: 名称; 纳税人识别号 as an 18-character 统一社会信用代码 with its
 * check characters (CertDesk's buyers are units, which all have one); for a 增值税专用发票 also
 * 地址、电话、开户行及账号. Pure: the portal's form, the invoice job and the e-invoice simulator
 * all ask the same function, and every problem comes with a Chinese message naming its field.
 */
import { usccMessages, usccProblem } from './codes.ts';

/** 普通发票 / 增值税专用发票, both issued as 数电票 (全面数字化的电子发票). */
export const invoiceKinds = ['normal', 'special'] as const;
export type InvoiceKind = (typeof invoiceKinds)[number];

/** The title printed at the top of the 数电票. */
export const invoiceKindTitles: Record<InvoiceKind, string> = {
  normal: '电子发票（普通发票）',
  special: '电子发票（增值税专用发票）',
};

export const invoiceKindLabels: Record<InvoiceKind, string> = {
  normal: '增值税普通发票',
  special: '增值税专用发票',
};

/** Field names as the application form has them (invoice.title → name). */
export interface InvoiceBuyer {
  /** 名称 (发票抬头). */
  name: string;
  /** 纳税人识别号 = 统一社会信用代码. */
  taxNumber: string;
  /** 地址: required for a 专票. */
  address?: string;
  /** 电话: required for a 专票. */
  phone?: string;
  /** 开户行: required for a 专票. */
  bank?: string;
  /** 账号: required for a 专票. */
  account?: string;
}

export interface BuyerProblem {
  field: keyof InvoiceBuyer;
  message: string;
}

/** The platform's limits: 名称 100 characters, 地址 and 电话 together 100, 开户行及账号 100. */
const NAME_MAX = 100;
const ADDRESS_AND_PHONE_MAX = 100;
const BANK_AND_ACCOUNT_MAX = 100;
const PHONE = /^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|1[3-9]\d{9}|400-?\d{3}-?\d{4})$/;
const ACCOUNT = /^\d{8,30}$/;

/** Trimmed, the 税号 upper-cased, spaces taken out of the account; empty optional fields dropped. */
export function normalizeInvoiceBuyer(buyer: InvoiceBuyer): InvoiceBuyer {
  const text = (v: string | undefined) => (v === undefined ? undefined : v.trim().replace(/\s+/g, ' '));
  const out: InvoiceBuyer = { name: text(buyer.name) ?? '', taxNumber: buyer.taxNumber.trim().toUpperCase() };
  const address = text(buyer.address);
  const phone = text(buyer.phone)?.replace(/\s+/g, '');
  const bank = text(buyer.bank);
  const account = buyer.account?.replace(/\s+/g, '');
  if (address) out.address = address;
  if (phone) out.phone = phone;
  if (bank) out.bank = bank;
  if (account) out.account = account;
  return out;
}

/** What is wrong with `buyer` for an invoice of `kind`; empty when nothing is. Normalises first. */
export function invoiceBuyerProblems(kind: InvoiceKind, raw: InvoiceBuyer): BuyerProblem[] {
  const buyer = normalizeInvoiceBuyer(raw);
  const problems: BuyerProblem[] = [];
  const add = (field: keyof InvoiceBuyer, message: string) => problems.push({ field, message });

  if (buyer.name === '') add('name', '请填写购买方名称（发票抬头）');
  else if ([...buyer.name].length > NAME_MAX) add('name', `购买方名称不能超过${NAME_MAX}个字符`);

  if (buyer.taxNumber === '') add('taxNumber', '请填写购买方纳税人识别号（统一社会信用代码）');
  else {
    const problem = usccProblem(buyer.taxNumber);
    if (problem !== undefined) add('taxNumber', `购买方纳税人识别号有误：${usccMessages[problem]}`);
  }

  if (kind === 'special') {
    if (buyer.address === undefined) add('address', '开具增值税专用发票须填写购买方地址');
    if (buyer.phone === undefined) add('phone', '开具增值税专用发票须填写购买方电话');
    if (buyer.bank === undefined) add('bank', '开具增值税专用发票须填写购买方开户行');
    if (buyer.account === undefined) add('account', '开具增值税专用发票须填写购买方银行账号');
  }
  if (buyer.phone !== undefined && !PHONE.test(buyer.phone)) add('phone', '购买方电话格式不正确（如 0471-1234567 或手机号码）');
  if (buyer.account !== undefined && !ACCOUNT.test(buyer.account)) add('account', '购买方银行账号应为8至30位数字');
  if ([...(buyer.address ?? '')].length + [...(buyer.phone ?? '')].length > ADDRESS_AND_PHONE_MAX) {
    add('address', `购买方地址和电话合计不能超过${ADDRESS_AND_PHONE_MAX}个字符`);
  }
  if ([...bankAndAccount(buyer)].length > BANK_AND_ACCOUNT_MAX) {
    add('bank', `购买方开户行及账号合计不能超过${BANK_AND_ACCOUNT_MAX}个字符`);
  }
  return problems;
}

/** 开户行及账号 as one text, as the invoice prints it (and the platform takes it). */
export function bankAndAccount(buyer: Pick<InvoiceBuyer, 'bank' | 'account'>): string {
  return [buyer.bank, buyer.account].filter((v) => v !== undefined && v !== '').join(' ');
}

/** One Chinese sentence for all problems, for an error message or a log of a refusal. */
export function describeBuyerProblems(problems: BuyerProblem[]): string {
  return problems.map((p) => p.message).join('；');
}
