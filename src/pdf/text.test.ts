import { describe, expect, it } from 'vitest';
import { wrapText, zh } from './text.ts';

/** Ideographs and full-width marks are 1 wide, everything else ½. */
const measure = (text: string): number =>
  Array.from(text).reduce((sum, c) => sum + (/[\u3000-\u9fff\uff00-\uffef]/.test(c) ? 1 : 0.5), 0);

describe('wrapText', () => {
  it('breaks Chinese between any two characters, filling each line', () => {
    expect(wrapText('内蒙古自治区呼和浩特市赛罕区', 5, measure)).toEqual([
      '内蒙古自治',
      '区呼和浩特',
      '市赛罕区',
    ]);
  });

  it('keeps every line within the width', () => {
    const text = '邮寄（EMS）：内蒙古自治区呼和浩特市赛罕区大学东街敕勒川大厦B座1708室 张晓燕 13847112345';
    for (const line of wrapText(text, 9, measure)) expect(measure(line)).toBeLessThanOrEqual(9);
  });

  it('keeps a number whole by moving it to the next line', () => {
    expect(wrapText('手机号13847112345', 8, measure)).toEqual(['手机号', '13847112345']);
  });

  it('breaks a number only when it is wider than a whole line', () => {
    expect(wrapText('150105199003152345', 4, measure)).toEqual(['15010519', '90031523', '45']);
  });

  it('starts no line with a closing mark and ends none with an opening one', () => {
    // 一二三四， would put ， first on line two: 四 goes down with it.
    expect(wrapText('一二三四，五六', 4, measure)).toEqual(['一二三', '四，五六']);
    expect(wrapText('一二三（四五）', 4, measure)).toEqual(['一二三', '（四五）']);
  });

  it('indents the first line of each paragraph', () => {
    expect(wrapText('一二三四五六\n七八', 4, measure, 2)).toEqual(['一二', '三四五六', '七八']);
  });

  it('drops the blank at a wrap', () => {
    expect(wrapText('一二三 四五', 3, measure)).toEqual(['一二三', '四五']);
  });
});

describe('zh', () => {
  it('puts a space between Chinese and an inserted Latin name, and back', () => {
    const ca = 'CertDesk 数字证书认证中心';
    expect(zh`向${ca}办理`).toBe('向 CertDesk 数字证书认证中心办理');
    expect(zh`单号${'CD2026'}已生成`).toBe('单号 CD2026 已生成');
  });

  it('leaves Chinese values and the values themselves as they are', () => {
    expect(zh`向${'内蒙古数字证书认证中心'}办理`).toBe('向内蒙古数字证书认证中心办理');
    expect(zh`（${'EMS'}）`).toBe('（EMS）');
  });
});
