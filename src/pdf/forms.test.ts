import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as fontkit from 'fontkit';
import { PDFDict, PDFDocument, PDFName, PDFRawStream, decodePDFRawStream } from '@cantoo/pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { PageOverflowError } from './document.ts';
import { findCjkFont } from './fonts.ts';
import { chineseDate } from './dates.ts';
import {
  type ApplicationFormData,
  renderApplicationForm,
  renderAuthorisationLetter,
} from './forms.ts';

const inCi = Boolean(process.env['CI']);

function fontMissingReason(): string | undefined {
  try {
    findCjkFont();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
const noFont = fontMissingReason();
// In CI the font must be there: the tests then run and fail with the font error.
const skipForFont = noFont !== undefined && !inCi;
if (skipForFont) console.warn(`[pdf] 跳过申请表与授权委托书测试 / skipping PDF form tests: ${noFont}`);

const poppler = ['pdftotext', 'pdffonts', 'pdftoppm'].every((tool) => existsSync(`/usr/bin/${tool}`));
if (!poppler && !inCi) {
  console.warn(
    '[pdf] 未安装 poppler-utils，跳过 pdftotext/pdffonts 检查 / skipping poppler checks ' +
      '(apt-get install poppler-utils)',
  );
}

const resultsDir = join(process.cwd(), 'test-results', 'pdf');

const applicant: ApplicationFormData = {
  applicationNumber: 'CD20261125000123',
  applicantType: '事业单位',
  organisationName:
    '内蒙古自治区呼和浩特市赛罕区教育局直属机关事务服务中心（呼和浩特市赛罕区中小学校后勤保障与公共资源交易服务站）',
  uscc: '12150105MB1234567X',
  legalRepresentative: '王建国',
  operatorName: '张晓燕',
  operatorIdNumber: '150105199003152345',
  operatorPhone: '13847112345',
  projectName: '内蒙古自治区政府采购云平台',
  delivery:
    '邮寄（EMS）：内蒙古自治区呼和浩特市赛罕区大学东街与昭乌达路交汇处东南角敕勒川大厦B座十七层1708室教育局直属机关事务服务中心办公室 张晓燕 13847112345',
  caName: 'CertDesk 数字证书认证中心',
  // 2026-11-24 18:30 UTC is already 25 November in Asia/Shanghai.
  date: new Date('2026-11-24T18:30:00Z'),
};

/**
 * Text as pdftotext reads it in drawing order (-raw: a label, then its value, whatever the cell
 * heights), without the whitespace that line breaks and cells add.
 */
function pdfText(file: string): string {
  return execFileSync('/usr/bin/pdftotext', ['-raw', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}
const squeeze = (s: string): string => s.replace(/\s+/g, '');

/** pdffonts rows as name, emb, sub. */
function pdfFonts(file: string): Array<{ name: string; emb: string; sub: string }> {
  const out = execFileSync('/usr/bin/pdffonts', [file], { encoding: 'utf8' });
  return out
    .split('\n')
    .slice(2)
    .map((line) => /^(\S+)\s.*\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1]!, emb: m[2]!, sub: m[3]! }));
}

describe.skipIf(skipForFont)('数字证书及电子印章申请表 and 授权委托书', () => {
  const files: Record<'form' | 'letter', { bytes: Uint8Array; path: string }> = {
    form: { bytes: new Uint8Array(), path: join(resultsDir, 'application-form.pdf') },
    letter: { bytes: new Uint8Array(), path: join(resultsDir, 'authorisation-letter.pdf') },
  };

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    files.form.bytes = await renderApplicationForm(applicant);
    files.letter.bytes = await renderAuthorisationLetter(applicant);
    for (const f of Object.values(files)) writeFileSync(f.path, f.bytes);
  });

  it('shows the date as a Chinese calendar day in Asia/Shanghai', () => {
    expect(chineseDate(applicant.date)).toBe('2026年11月25日');
  });

  it.each([
    ['form', '数字证书及电子印章申请表'],
    ['letter', '授权委托书'],
  ] as const)('%s: one A4 page, small, with its document information', async (which, title) => {
    const { bytes } = files[which];
    expect(bytes.byteLength).toBeLessThan(200 * 1024);
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(doc.getPageCount()).toBe(1);
    const { width, height } = doc.getPage(0).getSize();
    expect([Math.round(width), Math.round(height)]).toEqual([595, 842]);
    expect(doc.getTitle()).toBe(title);
    expect(doc.getAuthor()).toBe(applicant.caName);
    expect(doc.getProducer()).toBe('CertDesk');
    expect(doc.getCreationDate()?.getTime()).toBe(applicant.date.getTime());
  });

  it.each(['form', 'letter'] as const)('%s: every glyph of the embedded subset is whole', async (which) => {
    const doc = await PDFDocument.load(files[which].bytes);
    const programs = doc.context
      .enumerateIndirectObjects()
      .map(([, obj]) => obj)
      .filter(
        (obj): obj is PDFDict =>
          obj instanceof PDFDict && obj.get(PDFName.of('Type')) === PDFName.of('FontDescriptor'),
      )
      .map((descriptor) => descriptor.lookup(PDFName.of('FontFile2')))
      .filter((stream): stream is PDFRawStream => stream instanceof PDFRawStream);
    expect(programs).toHaveLength(1);
    const subset = fontkit.create(Buffer.from(decodePDFRawStream(programs[0]!).decode())) as fontkit.Font;
    expect(subset.numGlyphs).toBeGreaterThan(100);
    let drawn = 0;
    for (let id = 0; id < subset.numGlyphs; id++) {
      if (subset.getGlyph(id).path.toSVG() !== '') drawn++; // throws on a broken glyph
    }
    expect(drawn).toBeGreaterThan(subset.numGlyphs * 0.9);
  });

  describe.skipIf(!poppler && !inCi)('as poppler reads them', () => {
    it('the application form carries every label, the data, the declaration and the blanks', () => {
      const text = squeeze(pdfText(files.form.path));
      const expected = [
        '数字证书及电子印章申请表',
        '申请单号：CD20261125000123',
        '申请日期：2026年11月25日',
        '单位名称',
        '统一社会信用代码',
        '法定代表人',
        '经办人姓名',
        '经办人身份证号',
        '经办人手机号',
        '证书用途（所属项目）',
        '证书领取方式',
        applicant.organisationName,
        applicant.uscc,
        applicant.legalRepresentative,
        applicant.operatorName,
        applicant.operatorIdNumber,
        applicant.operatorPhone,
        applicant.projectName,
        applicant.delivery,
        '事业单位',
        '本单位自愿向CertDesk数字证书认证中心申请单位数字证书及电子印章',
        '《数字证书服务协议》',
        '法定代表人（签字）',
        '单位（盖章）',
        '加盖单位公章',
        '日期：',
      ];
      for (const piece of expected) expect(text).toContain(squeeze(piece));
    });

    it('the authorisation letter names the agent, the unit and the CA, with blanks to sign', () => {
      const text = squeeze(pdfText(files.letter.path));
      const expected = [
        '授权委托书',
        `兹委托${applicant.operatorName}（身份证号：${applicant.operatorIdNumber}）为我单位经办人`,
        '向CertDesk数字证书认证中心办理数字证书及电子印章的申请、领取等相关事宜',
        '我单位均予以承认',
        '委托期限：自签署之日起至上述事项办理完毕之日止',
        applicant.organisationName,
        applicant.uscc,
        applicant.operatorPhone,
        applicant.projectName,
        '委托单位（盖章）',
        '法定代表人（签字）',
        '受托人（签字）',
        '加盖单位公章',
      ];
      for (const piece of expected) expect(text).toContain(squeeze(piece));
    });

    it.each(['form', 'letter'] as const)('%s: the CJK font is embedded as a subset', (which) => {
      const fonts = pdfFonts(files[which].path);
      expect(fonts.some((f) => f.name.includes('+') && f.emb === 'yes' && f.sub === 'yes')).toBe(true);
    });

    it.each(['form', 'letter'] as const)('%s: renders to PNG for a person to look at', (which) => {
      const prefix = join(resultsDir, which);
      execFileSync('/usr/bin/pdftoppm', ['-png', '-r', '60', '-singlefile', files[which].path, prefix]);
      expect(existsSync(`${prefix}.png`)).toBe(true);
    });
  });

  it('shrinks the text to keep much longer content on one page', async () => {
    const longer = {
      ...applicant,
      organisationName: applicant.organisationName.repeat(3),
      delivery: applicant.delivery.repeat(4),
      projectName: `${applicant.projectName}（${applicant.projectName}电子交易系统）`,
    };
    const path = join(resultsDir, 'application-form-longer.pdf');
    const bytes = await renderApplicationForm(longer);
    writeFileSync(path, bytes);
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(1);
    if (poppler || inCi) {
      const text = squeeze(pdfText(path));
      for (const value of [longer.organisationName, longer.delivery, '加盖单位公章']) {
        expect(text).toContain(squeeze(value));
      }
      const png = join(resultsDir, 'form-longer');
      execFileSync('/usr/bin/pdftoppm', ['-png', '-r', '60', '-singlefile', path, png]);
    }
  });

  it('refuses content that cannot fit one page instead of spilling over', async () => {
    const absurd = { ...applicant, delivery: '内蒙古自治区呼和浩特市赛罕区'.repeat(300) };
    await expect(renderApplicationForm(absurd)).rejects.toBeInstanceOf(PageOverflowError);
    await expect(renderApplicationForm(absurd)).rejects.toThrow(/无法在一页内排版/);
  });

  it('takes an explicit font path', async () => {
    const bytes = await renderAuthorisationLetter(applicant, { fontPath: findCjkFont() });
    expect(bytes.byteLength).toBeGreaterThan(1000);
    await expect(
      renderAuthorisationLetter(applicant, { fontPath: '/nonexistent/font.ttf' }),
    ).rejects.toThrow(/指定的中文字体文件不存在/);
  });
});
