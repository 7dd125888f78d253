import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CjkFontError, findCjkFont, KNOWN_CJK_FONT_PATHS, loadCjkFont } from './fonts.ts';

const dir = mkdtempSync(join(tmpdir(), 'certdesk-fonts-'));
const single = join(dir, 'single.ttf');
writeFileSync(single, Buffer.from([0x00, 0x01, 0x00, 0x00, 0x00, 0x10]));
const collection = join(dir, 'collection.ttc');
writeFileSync(collection, Buffer.from('ttcf\x00\x02\x00\x00', 'latin1'));

describe('findCjkFont', () => {
  it('looks first for the Droid fallback font of fonts-droid-fallback', () => {
    expect(KNOWN_CJK_FONT_PATHS[0]).toBe('/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf');
  });

  it('uses an explicit path as given', () => {
    expect(findCjkFont(single)).toBe(single);
  });

  it('fails loudly on an explicit path that does not exist, rather than using another font', () => {
    expect(() => findCjkFont(join(dir, 'missing.ttf'))).toThrow(/指定的中文字体文件不存在/);
  });

  it('refuses a font collection, which pdf-lib cannot subset', () => {
    expect(() => findCjkFont(collection)).toThrow(CjkFontError);
    expect(() => findCjkFont(collection)).toThrow(/\.ttc/);
  });

  it('takes the first known font present, passing over collections', () => {
    expect(findCjkFont(undefined, [join(dir, 'missing.ttf'), collection, single])).toBe(single);
  });

  it('tells how to install a font when there is none, in Chinese and English', () => {
    expect(() => findCjkFont(undefined, [join(dir, 'missing.ttf')])).toThrow(
      '未找到中文字体：请安装 fonts-droid-fallback（apt-get install fonts-droid-fallback）',
    );
    expect(() => findCjkFont('', [])).toThrow(/No CJK font found/);
  });

  it('says so when a file is not a font it can read', () => {
    expect(() => loadCjkFont(single)).toThrow(/无法读取中文字体/);
  });

  it.skipIf(!existsSync(KNOWN_CJK_FONT_PATHS[0]!))('reads and prepares the font once per process', () => {
    const first = loadCjkFont();
    expect(loadCjkFont().bytes).toBe(first.bytes);
    expect(first.postscriptName).toBe('DroidSansFallback');
    expect(first.metrics.has('章'.codePointAt(0)!)).toBe(true);
    expect(first.metrics.has('A'.codePointAt(0)!)).toBe(false); // Latin comes from Helvetica
    expect(first.metrics.advance('章')).toBe(1);
  });
});
