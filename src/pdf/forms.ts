/**
 * The two templates an applicant downloads, fills in by hand, stamps and uploads (事业单位申请证书
 * 须先下载申请表和授权委托书模板，填写好加盖单位公章后上传): the application form
 * (数字证书及电子印章申请表) and the letter of authorisation (授权委托书). What the platform
 * already knows is printed; signatures, the seal and the signing date are left blank.
 */
import { chineseDate } from './dates.ts';
import { renderOnePage, type DocumentInfo } from './document.ts';
import { GREY, type Sheet, type TableRow, type TextStyle } from './layout.ts';
import { zh } from './text.ts';

export interface ApplicationFormData {
  /** 申请单号, e.g. CD20261125000123 */
  applicationNumber: string;
  applicantType: '企业' | '事业单位';
  /** 单位名称 */
  organisationName: string;
  /** 统一社会信用代码 */
  uscc: string;
  /** 法定代表人 */
  legalRepresentative: string;
  /** 经办人 */
  operatorName: string;
  /** 经办人身份证号 */
  operatorIdNumber: string;
  /** 手机号 */
  operatorPhone: string;
  /** 所属项目 (证书用途), e.g. 内蒙古自治区政府采购云平台 */
  projectName: string;
  /** 证书领取方式, already worded: 邮寄（EMS）：… or 自取：… */
  delivery: string;
  /** The CA's name, e.g. CertDesk 数字证书认证中心 */
  caName: string;
  /** Shown as 2026年11月25日 in Asia/Shanghai */
  date: Date;
}

export interface RenderOptions {
  /** A single-face CJK .ttf/.otf; without it the known Debian locations are searched. */
  fontPath?: string;
}

/** A seal is 40–42 mm across; its box keeps a real size whatever the text scale (45 mm). */
const SEAL_BOX = 128;

function info(d: ApplicationFormData, title: string): DocumentInfo {
  return {
    title,
    author: d.caName,
    subject: `${d.organisationName} · 申请单号 ${d.applicationNumber}`,
    keywords: [d.applicationNumber, d.uscc, title],
    createdAt: d.date,
  };
}

function footer(d: ApplicationFormData): string {
  return zh`${d.caName} · 申请单号 ${d.applicationNumber} · 由数字证书在线受理平台生成`;
}

const body = (sheet: Sheet): TextStyle => ({ size: sheet.s(10.5) });

/** The application form: the data in a table, the declaration, the places to sign and stamp. */
export async function renderApplicationForm(
  d: ApplicationFormData,
  opts?: RenderOptions,
): Promise<Uint8Array> {
  const title = '数字证书及电子印章申请表';
  const rows: TableRow[] = [
    { kind: 'section', title: '一、申请单位信息' },
    { kind: 'fields', fields: [{ label: '单位名称', value: d.organisationName }] },
    { kind: 'fields', fields: [{ label: '统一社会信用代码', value: d.uscc }] },
    {
      kind: 'fields',
      fields: [
        { label: '单位类型', value: d.applicantType },
        { label: '法定代表人', value: d.legalRepresentative },
      ],
    },
    { kind: 'section', title: '二、经办人信息' },
    {
      kind: 'fields',
      fields: [
        { label: '经办人姓名', value: d.operatorName },
        { label: '经办人手机号', value: d.operatorPhone },
      ],
    },
    { kind: 'fields', fields: [{ label: '经办人身份证号', value: d.operatorIdNumber }] },
    { kind: 'section', title: '三、证书信息' },
    { kind: 'fields', fields: [{ label: '证书用途（所属项目）', value: d.projectName }] },
    { kind: 'fields', fields: [{ label: '证书领取方式', value: d.delivery }] },
    { kind: 'section', title: '四、申请单位声明' },
    { kind: 'block', render: (sheet, x, top, width) => declaration(sheet, x, top, width, d) },
  ];
  const notes = [
    '1. 请核对本表所列信息，确认无误后由法定代表人签字并加盖单位公章；',
    '2. 签章后请将本表扫描或拍照，连同授权委托书一并上传至数字证书在线受理平台（图片格式：jpeg、jpg、png、bmp，大小不超过 1MB）；',
    '3. 如需变更所填信息，请在平台修改后重新下载本表。',
  ];

  return renderOnePage(
    info(d, title),
    footer(d),
    (sheet) => {
      sheet.centred(title, { size: sheet.s(20), bold: true, spacing: sheet.s(2) });
      sheet.gap(10);
      sheet.spread(`申请单号：${d.applicationNumber}`, `申请日期：${chineseDate(d.date)}`, body(sheet));
      sheet.gap(4);
      sheet.table(rows, [120, 92]);
      sheet.gap(8);
      sheet.notes('注：', notes, { size: sheet.s(9), color: GREY });
    },
    opts?.fontPath,
  );
}

/** 申请单位声明: the promise, then 法定代表人（签字）, the seal box and the date. */
function declaration(
  sheet: Sheet,
  x: number,
  top: number,
  width: number,
  d: ApplicationFormData,
): number {
  const pad = sheet.s(12);
  const style = body(sheet);
  const text =
    zh`本单位自愿向${d.caName}申请单位数字证书及电子印章，并郑重承诺：本表所填信息及所提交的材料真实、准确、完整、有效，如有虚假，本单位愿承担由此产生的全部法律责任。` +
    '本单位已认真阅读并同意《数字证书服务协议》的全部条款，将按照协议约定妥善保管和使用数字证书及电子印章。';
  const used = sheet.paragraphAt(text, x + pad, top - pad, width - 2 * pad, style, 2);

  const boxTop = top - pad - used - sheet.s(8);
  const boxX = x + width - pad - SEAL_BOX;
  sheet.stampBox(boxX, boxTop, SEAL_BOX, '加盖单位公章');
  const sealLabel = '单位（盖章）：';
  const at = (fraction: number): number => sheet.baselineFor(boxTop - SEAL_BOX * fraction, style.size);
  sheet.text(sealLabel, boxX - sheet.textWidth(sealLabel, style) - 4, at(0.5), style);

  const left = x + pad;
  sheet.blank('法定代表人（签字）：', left, at(0.3), sheet.s(90), style);
  sheet.dateBlank(left, at(0.8), style);
  return top - (boxTop - SEAL_BOX) + pad;
}

/** The letter of authorisation: the unit names its operator as its agent for this application. */
export async function renderAuthorisationLetter(
  d: ApplicationFormData,
  opts?: RenderOptions,
): Promise<Uint8Array> {
  const title = '授权委托书';
  const letter = [
    zh`兹委托${d.operatorName}（身份证号：${d.operatorIdNumber}）为我单位经办人，代表我单位向${d.caName}办理数字证书及电子印章的申请、领取等相关事宜。`,
    '受托人在办理上述事项过程中所签署的文件和处理的有关事宜，我单位均予以承认，并承担相应的法律责任。',
    '委托期限：自签署之日起至上述事项办理完毕之日止。受托人无转委托权。',
    '特此委托。',
  ].join('\n');
  const rows: TableRow[] = [
    { kind: 'fields', fields: [{ label: '委托单位', value: d.organisationName }] },
    { kind: 'fields', fields: [{ label: '统一社会信用代码', value: d.uscc }] },
    {
      kind: 'fields',
      fields: [
        { label: '法定代表人', value: d.legalRepresentative },
        { label: '单位类型', value: d.applicantType },
      ],
    },
    {
      kind: 'fields',
      fields: [
        { label: '受托人姓名', value: d.operatorName },
        { label: '受托人手机号', value: d.operatorPhone },
      ],
    },
    { kind: 'fields', fields: [{ label: '受托人身份证号', value: d.operatorIdNumber }] },
    { kind: 'fields', fields: [{ label: '证书用途（所属项目）', value: d.projectName }] },
  ];

  return renderOnePage(
    info(d, title),
    footer(d),
    (sheet) => {
      sheet.centred(title, { size: sheet.s(22), bold: true, spacing: sheet.s(10) });
      sheet.spread('', `申请单号：${d.applicationNumber}`, { size: sheet.s(9), color: GREY });
      sheet.gap(10);
      const letterStyle: TextStyle = { size: sheet.s(12), leading: 1.9 };
      sheet.paragraph(zh`${d.caName}：`, letterStyle);
      sheet.paragraph(letter, letterStyle, 2);
      sheet.gap(18);
      sheet.table(rows, [120, 92]);
      sheet.gap(30);
      signatures(sheet);
    },
    opts?.fontPath,
  );
}

/** 委托单位（盖章） with its seal box on the left; the two signatures and dates on the right. */
function signatures(sheet: Sheet): void {
  const style: TextStyle = { size: sheet.s(12) };
  const lh = sheet.lineHeight(style);
  const top = sheet.y;
  const left = sheet.left;
  sheet.text('委托单位（盖章）：', left, sheet.baselineFor(top - lh / 2, style.size), style);
  const boxTop = top - lh - sheet.s(4);
  sheet.stampBox(left + sheet.s(12), boxTop, SEAL_BOX, '加盖单位公章');

  const right = sheet.left + sheet.width * 0.5;
  const line = sheet.right - right - sheet.textWidth('法定代表人（签字）：', style) - 6;
  const row = (i: number): number => sheet.baselineFor(top - lh / 2 - i * lh * 1.8, style.size);
  sheet.blank('法定代表人（签字）：', right, row(0), line, style);
  sheet.dateBlank(right, row(1), style);
  sheet.blank('受托人（签字）：', right, row(2.5), line + sheet.textWidth('法定', style), style);
  sheet.dateBlank(right, row(3.5), style);
  sheet.y = Math.min(boxTop - SEAL_BOX, row(3.5) - lh);
}
