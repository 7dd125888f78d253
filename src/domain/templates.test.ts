import { describe, expect, it } from 'vitest';
import { formatYuan, parseYuan } from './money.ts';
import {
  CONTRACT_PLACEHOLDER,
  SMS_VARIABLE,
  contractPlaceholders,
  contractTemplateProblem,
  fillPlaceholders,
  smsTemplateProblem,
  smsTemplateSpecs,
} from './templates.ts';

describe('contract templates', () => {
  it('accepts every placeholder the filler knows, and nothing else', () => {
    const all = Object.keys(contractPlaceholders).map((n) => `{{${n}}}`).join('\n');
    expect(contractTemplateProblem('合同', all)).toBeUndefined();
    expect(contractTemplateProblem('合同', '{{orgName}}{{foo}}{{bar}}{{foo}}')).toBe(
      '合同正文含有不支持的占位符：{{foo}}、{{bar}}。可用的占位符见右侧列表',
    );
    expect(contractTemplateProblem('合同', '甲方 {{orgName')).toMatch(/格式不正确/);
    expect(contractTemplateProblem('合同', '甲方 orgName}}')).toMatch(/格式不正确/);
    expect(contractTemplateProblem('', '正文')).toBe('请输入合同标题');
    expect(contractTemplateProblem('合同', 'x'.repeat(30_001))).toBe('合同正文不能超过30000个字');
  });

  it('fills known names, blanks unknown ones and never reads the prototype', () => {
    expect(fillPlaceholders('{{orgName}}/{{toString}}/{{x}}', CONTRACT_PLACEHOLDER, { orgName: '甲' })).toBe('甲//');
  });
});

describe('SMS templates', () => {
  it('wants exactly the variables the sender passes', () => {
    for (const [code, spec] of Object.entries(smsTemplateSpecs)) {
      const body = Object.keys(spec.variables).map((n) => `\${${n}}`).join('，');
      expect(smsTemplateProblem(code as keyof typeof smsTemplateSpecs, body), code).toBeUndefined();
    }
    expect(smsTemplateProblem('review_approved', '${number}${amount}${number}')).toBeUndefined();
    expect(smsTemplateProblem('review_approved', '${number}')).toBe('短信内容缺少变量：${amount}');
    expect(smsTemplateProblem('login_code', '${code}${phone}')).toBe('短信内容含有未知变量：${phone}。本模板只能使用：${code}');
    expect(smsTemplateProblem('login_code', '${code}${')).toMatch(/格式不正确/);
    expect(smsTemplateProblem('login_code', '【签名】${code}')).toMatch(/签名/);
    expect(smsTemplateProblem('login_code', '${code}' + '字'.repeat(493))).toBeUndefined();
    expect(smsTemplateProblem('login_code', '${code}' + '字'.repeat(494))).toBe('短信内容不能超过500个字（当前501个字）');
    expect(fillPlaceholders('码${code}', SMS_VARIABLE, smsTemplateSpecs.login_code.variables)).toBe('码123456');
  });
});

describe('parseYuan', () => {
  it('turns 元 text into fen exactly', () => {
    expect(parseYuan('195')).toBe(19_500);
    expect(parseYuan(' 0.1 ')).toBe(10);
    expect(parseYuan('160.05')).toBe(16_005);
    expect(parseYuan('0.29')).toBe(29); // 0.29 * 100 is 28.999… in floating point
    for (const bad of ['', '1.234', '-1', '1,000', '1e3', '.5', '5.']) expect(parseYuan(bad), bad).toBeUndefined();
    expect(formatYuan(parseYuan('100000')!)).toBe('100000.00');
  });
});
