/**
 * The signed service contract (数字证书及电子印章服务合同): the template text exactly as the
 * applicant accepted it, the signature block of both parties — the operator's electronic
 * signature mark for 甲方 and the CA's seal, stamped across 乙方's name as ink would be — and
 * the record of the electronic signing (who, the masked ID and phone, the template version, the
 * SHA-256 of the text, the times of 本人已阅读合同 and 本人已同意签署合同). The CA's PAdES
 * signature (sign.ts) is placed on the seal.
 */
import { rgb } from '@cantoo/pdf-lib';
import { maskIdNumber } from '../domain/codes.ts';
import { maskPhone } from '../domain/phone.ts';
import { beijingTime, chineseDate, isoDay } from './dates.ts';
import { type DocumentInfo, MARGINS, finishDocument, startDocument } from './document.ts';
import { PageFlow } from './flow.ts';
import { prepareImage, stampImage } from './image.ts';
import { GREY, type Sheet, type TableRow, type TextStyle } from './layout.ts';
import { type PdfSigning, type SignatureField, signPdf } from './sign.ts';
import { zh } from './text.ts';

export interface ContractInput {
  /** The template's title, e.g. 数字证书及电子印章服务合同 */
  title: string;
  /** The filled template text the applicant was shown and accepted, printed as it is. */
  text: string;
  /** Template version. */
  version: number;
  /** SHA-256 (hex) of `text`, as recorded with the acceptance. */
  textSha256: string;
  applicationNumber: string;
  organisation: { name: string; uscc: string };
  /** The operator (经办人); the ID number and phone are masked in print. */
  operator: { name: string; idNumber: string; phone: string };
  /** The CA's name, e.g. CertDesk 数字证书认证中心 */
  caName: string;
  /** When the applicant ticked 本人已阅读合同, if recorded. */
  readAt?: Date;
  /** When the applicant ticked 本人已同意签署合同 and confirmed. */
  agreedAt: Date;
  /** When the CA signs: printed as 乙方's 签署日期 and written as the signature's /M. */
  signedAt: Date;
  /** The CA's seal as a PNG with a transparent background. */
  sealPng: Uint8Array;
  /** A single-face CJK .ttf/.otf; without it the known Debian locations are searched. */
  fontPath?: string;
}

export interface RenderedContractPdf {
  bytes: Uint8Array;
  /** Where the seal is: the signature widget goes there. */
  signatureField: SignatureField;
}

/** A seal is 42 mm across (GA 241 puts official seals at 38–45 mm). */
const SEAL_SIZE = (42 / 25.4) * 72;
const MARGINS_WITH_HEADER = { ...MARGINS, top: MARGINS.top + 14, bottom: MARGINS.bottom + 16 };
const BODY: TextStyle = { size: 11, leading: 1.8 };
const ARTICLE: TextStyle = { size: 11.5, bold: true, leading: 1.9 };
const SIGNATURE_BLUE = rgb(0.1, 0.25, 0.6);

const ARTICLE_HEADING = /^第[一二三四五六七八九十百]+条/;
const NUMBERED_ITEM = /^(\d+[.．、]\s*)/;

/** The template text, paragraph by paragraph, in the typography of a printed contract. */
function body(flow: PageFlow, text: string): void {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') {
      flow.sheet.gap(5);
      continue;
    }
    if (ARTICLE_HEADING.test(line)) {
      flow.sheet.gap(4);
      // Keep a heading with at least the first two lines of its article.
      flow.ensure(flow.sheet.lineHeight(ARTICLE) + 2 * flow.sheet.lineHeight(BODY));
      flow.paragraph(line, ARTICLE);
      continue;
    }
    const item = NUMBERED_ITEM.exec(line);
    if (item !== null) {
      flow.paragraph(line, BODY, { hanging: flow.sheet.textWidth(item[1]!, BODY) });
    } else {
      // Prose (a sentence ending in 。) is indented two characters; the parties' lines are not.
      flow.paragraph(line, BODY, { indentChars: line.endsWith('。') ? 2 : 0 });
    }
  }
}

/** 甲方 on the left with the operator's signature mark, 乙方 on the right under its seal. */
function signatureBlock(
  sheet: Sheet,
  c: ContractInput,
  placeSeal: (rect: SignatureField['rect']) => void,
): void {
  const top = sheet.y;
  const gutter = 24;
  const column = (sheet.width - gutter) / 2;
  const left = sheet.left;
  const right = sheet.left + column + gutter;
  const style: TextStyle = { size: 11, leading: 1.9 };
  const lh = sheet.lineHeight(style);

  // 甲方
  let y = top;
  y -= sheet.paragraphAt(`甲方（用户）：${c.organisation.name}`, left, y, column, style);
  y -= sheet.paragraphAt(`统一社会信用代码：${c.organisation.uscc}`, left, y, column, style);
  y -= 4;
  const label = '经办人（签字）：';
  const labelEnd = sheet.text(label, left, sheet.baselineFor(y - 20, style.size), style);
  const mark = { size: 15, bold: true, color: SIGNATURE_BLUE } satisfies TextStyle;
  const note = { size: 8, color: SIGNATURE_BLUE } satisfies TextStyle;
  const noteText = `${isoDay(c.agreedAt)} 电子签署`;
  const boxWidth = Math.min(
    left + column - labelEnd,
    Math.max(sheet.textWidth(c.operator.name, mark), sheet.textWidth(noteText, note)) + 20,
  );
  const nameLines = sheet.wrap(c.operator.name, boxWidth - 12, mark.size);
  const boxHeight = nameLines.length * mark.size * 1.3 + note.size * 1.6 + 10;
  sheet.rect(labelEnd + 2, y - 4, boxWidth, boxHeight, { border: SIGNATURE_BLUE, borderWidth: 0.9 });
  let lineTop = y - 8;
  for (const nameLine of nameLines) {
    sheet.text(nameLine, labelEnd + 8, sheet.baselineFor(lineTop - mark.size * 0.65, mark.size), mark);
    lineTop -= mark.size * 1.3;
  }
  sheet.text(noteText, labelEnd + 8, sheet.baselineFor(lineTop - note.size * 0.8, note.size), note);
  y -= Math.max(boxHeight + 8, lh);

  // 乙方
  let ry = top;
  ry -= sheet.paragraphAt(`乙方（电子认证服务机构）：${c.caName}`, right, ry, column, style);
  ry -= sheet.paragraphAt('（电子签章）', right, ry, column, style);

  // Both dates on one line, below the taller column.
  const dateTop = Math.min(y, ry - lh) - 4;
  const dateBaseline = sheet.baselineFor(dateTop - lh / 2, style.size);
  sheet.text(`签署日期：${chineseDate(c.agreedAt)}`, left, dateBaseline, style);
  sheet.text(`签署日期：${chineseDate(c.signedAt)}`, right, dateBaseline, style);
  const bottom = dateTop - lh;

  // The seal sits over 乙方's name and date, as a stamp is pressed across the signature line.
  const sealCentreX = right + Math.min(column, 200) * 0.55;
  const sealCentreY = (top + bottom) / 2;
  const rect: SignatureField['rect'] = [
    sealCentreX - SEAL_SIZE / 2,
    sealCentreY - SEAL_SIZE / 2,
    sealCentreX + SEAL_SIZE / 2,
    sealCentreY + SEAL_SIZE / 2,
  ];
  placeSeal(rect);
  sheet.y = Math.min(bottom, rect[1]) - 6;
}

/** The record of the electronic signing, as a bordered table. */
function evidence(sheet: Sheet, c: ContractInput): void {
  const style: TextStyle = { size: 12, bold: true };
  sheet.text('电子签署记录', sheet.left, sheet.baselineFor(sheet.y - 10, style.size), style);
  sheet.y -= 24;
  const rows: TableRow[] = [
    { kind: 'fields', fields: [{ label: '单位名称', value: c.organisation.name }] },
    { kind: 'fields', fields: [{ label: '统一社会信用代码', value: c.organisation.uscc }] },
    {
      kind: 'fields',
      fields: [
        { label: '经办人', value: c.operator.name },
        { label: '经办人手机号', value: maskPhone(c.operator.phone) },
      ],
    },
    { kind: 'fields', fields: [{ label: '经办人身份证号', value: maskIdNumber(c.operator.idNumber) }] },
    {
      kind: 'fields',
      fields: [
        { label: '申请单号', value: c.applicationNumber },
        { label: '合同版本', value: `第 ${c.version} 版` },
      ],
    },
    { kind: 'fields', fields: [{ label: '合同文本 SHA-256', value: c.textSha256 }] },
    ...(c.readAt === undefined
      ? []
      : [{ kind: 'fields', fields: [{ label: '本人已阅读合同', value: beijingTime(c.readAt) }] } satisfies TableRow]),
    { kind: 'fields', fields: [{ label: '本人已同意签署合同', value: beijingTime(c.agreedAt) }] },
    {
      kind: 'fields',
      fields: [
        {
          label: '电子签名',
          value: zh`本合同由${c.caName}使用数字证书进行电子签名，签名覆盖本文件全部内容；任何改动都会使签名验证失败。`,
        },
      ],
    },
  ];
  sheet.table(rows, [120, 92]);
}

function documentInfo(c: ContractInput): DocumentInfo {
  return {
    title: c.title,
    author: c.caName,
    subject: `${c.organisation.name} · 申请单号 ${c.applicationNumber}`,
    keywords: [c.applicationNumber, c.organisation.uscc, c.title, `sha256:${c.textSha256}`],
    createdAt: c.signedAt,
  };
}

/** Renders the contract, unsigned, and says where its signature belongs. */
export async function renderContract(c: ContractInput): Promise<RenderedContractPdf> {
  const info = documentInfo(c);
  const { doc, type } = await startDocument(info, c.fontPath);
  const seal = await prepareImage(c.sealPng);
  const flow = new PageFlow(doc, type, MARGINS_WITH_HEADER);

  flow.sheet.centred(c.title, { size: 20, bold: true, spacing: 2, leading: 1.6 });
  flow.sheet.gap(6);
  flow.sheet.spread(`合同编号：${c.applicationNumber}`, `合同版本：第 ${c.version} 版`, { size: 9.5, color: GREY });
  flow.sheet.gap(10);
  body(flow, c.text);
  flow.sheet.gap(6);
  flow.paragraph('（以下无正文）', { size: 10, color: GREY }, { indentChars: 2 });
  flow.sheet.gap(18);

  let field: SignatureField | undefined;
  flow.keepTogether((sheet) =>
    signatureBlock(sheet, c, (rect) => {
      if (sheet !== flow.sheet) return; // measuring
      field = { page: flow.pageIndex, rect };
      const [x, y] = rect;
      // Ink on paper: the text beneath shows through the red.
      stampImage(flow.pages[flow.pageIndex]!, seal, { x, y, width: SEAL_SIZE, height: SEAL_SIZE }, true);
    }),
  );
  flow.sheet.gap(22);
  flow.keepTogether((sheet) => evidence(sheet, c));

  flow.decorate(zh`${c.caName} · ${c.title}`, `合同编号：${c.applicationNumber}`);
  const bytes = await finishDocument(doc, info);
  if (field === undefined) throw new Error('the signature block placed no seal');
  return { bytes, signatureField: field };
}

/**
 * The contract rendered and signed by the CA (PAdES B-B), its signature on the seal. The
 * signing time is the contract's `signedAt`, so the printed 签署日期 and /M cannot disagree.
 */
export async function makeSignedContract(
  c: ContractInput,
  signing: Omit<PdfSigning, 'field' | 'signingTime'>,
): Promise<Uint8Array> {
  const { bytes, signatureField } = await renderContract(c);
  return signPdf(bytes, {
    reason: zh`${c.title}（申请单号 ${c.applicationNumber}）电子签章`,
    name: c.caName,
    ...signing,
    signingTime: c.signedAt,
    field: signatureField,
  });
}
