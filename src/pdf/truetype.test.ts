import { existsSync, readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { describe, expect, it } from 'vitest';
import { KNOWN_CJK_FONT_PATHS } from './fonts.ts';
import { alignGlyphs } from './truetype.ts';

/** A skeleton sfnt: head, loca (long), glyf holding the given glyphs back to back, maxp. */
function skeletonFont(glyphs: number[][]): Uint8Array {
  const glyf = glyphs.flat();
  const loca: number[] = [];
  let at = 0;
  for (const g of [...glyphs, []]) {
    loca.push((at >>> 24) & 255, (at >>> 16) & 255, (at >>> 8) & 255, at & 255);
    at += g.length;
  }
  const head = new Array<number>(54).fill(0);
  head[51] = 1; // indexToLocFormat: long
  const maxp = [0, 0, 0x50, 0, 0, glyphs.length];
  const tables: Array<[string, number[]]> = [['glyf', glyf], ['head', head], ['loca', loca], ['maxp', maxp]];
  const headerSize = 12 + tables.length * 16;
  const bytes: number[] = [0, 1, 0, 0, 0, tables.length, 0, 64, 0, 2, 0, 0];
  let offset = headerSize;
  const body: number[] = [];
  for (const [tag, data] of tables) {
    const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    bytes.push(...Array.from(tag, (c) => c.charCodeAt(0)), ...u32(0), ...u32(offset), ...u32(data.length));
    const padded = [...data, ...new Array<number>((4 - (data.length % 4)) % 4).fill(0)];
    body.push(...padded);
    offset += padded.length;
  }
  return new Uint8Array([...bytes, ...body]);
}

function table(font: Uint8Array, tag: string): DataView {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  for (let i = 0; i < view.getUint16(4); i++) {
    const at = 12 + i * 16;
    if (String.fromCharCode(...font.subarray(at, at + 4)) === tag) {
      return new DataView(font.buffer, font.byteOffset + view.getUint32(at + 8), view.getUint32(at + 12));
    }
  }
  throw new Error(`no ${tag}`);
}

describe('alignGlyphs', () => {
  it('pads glyphs of odd length to four bytes, keeping their bytes', () => {
    const font = skeletonFont([[], [1, 2, 3], [4, 5, 6, 7, 8], [9]]);
    const out = alignGlyphs(font);
    const loca = table(out, 'loca');
    const offsets = [0, 1, 2, 3, 4].map((i) => loca.getUint32(i * 4));
    expect(offsets).toEqual([0, 0, 4, 12, 16]);
    const glyf = table(out, 'glyf');
    expect([0, 1, 2].map((i) => glyf.getUint8(i))).toEqual([1, 2, 3]);
    expect([4, 5, 6, 7, 8].map((i) => glyf.getUint8(i))).toEqual([4, 5, 6, 7, 8]);
    expect(glyf.getUint8(12)).toBe(9);
    expect(table(out, 'head').getInt16(50)).toBe(1);
  });

  it('leaves a font whose glyphs are already aligned, and what is not a font, as it is', () => {
    const aligned = skeletonFont([[], [1, 2, 3, 4]]);
    expect(alignGlyphs(aligned)).toBe(aligned);
    const junk = new Uint8Array([0, 1, 0, 0, 0, 16]);
    expect(alignGlyphs(junk)).toBe(junk);
  });

  const droid = KNOWN_CJK_FONT_PATHS[0]!;
  it.skipIf(!existsSync(droid))('keeps every outline of the Droid fallback font', () => {
    const original = new Uint8Array(readFileSync(droid));
    const before = fontkit.create(original);
    const after = fontkit.create(alignGlyphs(original));
    expect(after.numGlyphs).toBe(before.numGlyphs);
    for (const char of '授权委托书申请表盖章（）：，。') {
      const code = char.codePointAt(0)!;
      expect(after.glyphForCodePoint(code).path.toSVG()).toBe(before.glyphForCodePoint(code).path.toSVG());
    }
  });
});
