/**
 * The picture of an electronic seal, drawn from the organisation's name the way a Chinese
 * official seal (公章) looks: a red ring, the name along the upper arc with each character turned
 * towards the centre, a solid five-pointed star in the middle, a purpose line under the star
 * (电子印章, 合同专用章 …) and the seal code along the lower arc. Built as SVG, rasterised by resvg
 * to a transparent PNG of 40 mm at 300 dpi. This module draws only: what the seal says is decided
 * by the caller.
 */
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';

/**
 * Single-face TrueType fonts (Debian fonts-droid-fallback for CJK, fonts-dejavu-core for the
 * digits and Latin letters of seal codes, which Droid Sans Fallback lacks). Missing files are
 * skipped; resvg falls back per glyph across the loaded fonts. With none of them there, resvg
 * would draw empty boxes (tofu) without a word, so rendering refuses instead.
 */
export const defaultSealFonts = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
];
const fontFamilies = `'DejaVu Sans', 'Droid Sans Fallback'`;

/** The physical size the PNG is made for, and the one to write into SESeal's picture (mm). */
export const sealDiameterMm = 40;
const dpi = 300;
export const sealPixels = Math.round((sealDiameterMm / 25.4) * dpi);

export interface SealImageOptions {
  /** 单位名称, 2 to 60 characters. */
  name: string;
  /** The line under the star; default 电子印章. Empty string for none. */
  purpose?: string;
  /** The seal code (e.g. 13 digits) along the lower arc; omitted when absent. */
  code?: string;
  /** Ink colour; official seals are red. */
  color?: string;
  /** TrueType font files to draw with; default `defaultSealFonts`. */
  fontFiles?: string[];
  /** Output width and height in pixels; default 40 mm at 300 dpi. */
  sizePx?: number;
}

// Geometry in a 400 × 400 viewBox: a 42 mm seal scaled down, ring ≈ 1.2 mm thick.
const C = 200;
const ringRadius = 191;
const ringWidth = 11;
const innerEdge = ringRadius - ringWidth / 2;
/** Seal characters are condensed (narrower than tall), as engraved seal type is. */
const condense = 0.78;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Whole user-perceived characters, so that surrogate pairs are never split across the arc. */
function characters(text: string): string[] {
  return Array.from(text.normalize('NFC').replace(/\s+/g, ''));
}

/** A five-pointed star of outer radius r centred at (cx, cy), one point straight up. */
function starPath(cx: number, cy: number, r: number): string {
  const inner = r * 0.382; // the golden-ratio inner radius of a regular pentagram
  const points: string[] = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? r : inner;
    const angle = (Math.PI / 5) * i - Math.PI / 2;
    points.push(`${(cx + radius * Math.cos(angle)).toFixed(2)},${(cy + radius * Math.sin(angle)).toFixed(2)}`);
  }
  return `M${points.join('L')}Z`;
}

/**
 * Places characters on an arc. `centreDeg` is measured clockwise from the top; `upper` text reads
 * left to right with glyph tops outwards, lower text reads left to right with glyph tops inwards.
 */
function arcText(chars: string[], opts: {
  centreDeg: number;
  spanDeg: number;
  radius: number;
  fontSize: number;
  upper: boolean;
  color: string;
}): string {
  const n = chars.length;
  const step = n > 1 ? opts.spanDeg / (n - 1) : 0;
  return chars
    .map((ch, i) => {
      const offset = -opts.spanDeg / 2 + i * step;
      const angle = opts.upper ? opts.centreDeg + offset : opts.centreDeg - offset;
      const turn = opts.upper ? angle : angle - 180;
      // Upper: baseline at `radius` from the centre, glyph above it. Lower: glyph top towards the
      // centre, baseline further out.
      const y = opts.upper ? C - opts.radius : C + opts.radius;
      return (
        `<text transform="rotate(${turn.toFixed(3)} ${C} ${C}) translate(${C} ${y.toFixed(2)}) scale(${condense} 1)"` +
        ` font-size="${opts.fontSize.toFixed(2)}" text-anchor="middle" fill="${opts.color}">${escapeXml(ch)}</text>`
      );
    })
    .join('\n    ');
}

/** Lays the name along the upper arc: the more characters, the wider the arc and the smaller the type. */
function nameLayout(n: number, maxSpanDeg: number): { spanDeg: number; fontSize: number; radius: number } {
  const gap = 10; // between the ring and the glyph tops
  // The arc grows with the name, up to 250° for long names as on real seals (less when the seal
  // code needs the bottom of the ring).
  const spanDeg = Math.min(maxSpanDeg, 60 + n * 14);
  // Arc length available per character at the glyph centre line, first guess with a 60-unit glyph.
  let fontSize = 62;
  for (let k = 0; k < 4; k++) {
    const centreRadius = innerEdge - gap - fontSize * 0.5;
    const perChar = ((spanDeg / Math.max(n - 1, 1)) * Math.PI * centreRadius) / 180;
    fontSize = Math.min(62, (perChar * 0.94) / condense);
  }
  const ascent = 0.86 * fontSize;
  return { spanDeg: n > 1 ? spanDeg * ((n - 1) / n) : 0, fontSize, radius: innerEdge - gap - ascent };
}

/** The seal as SVG (viewBox 400 × 400), for previews in the browser. */
export function sealSvg(options: SealImageOptions): string {
  const color = options.color ?? '#e60012';
  if (!/^#[0-9a-fA-F]{3,8}$/.test(color)) throw new Error('印章颜色格式错误');
  const name = characters(options.name);
  if (name.length < 2) throw new Error('单位名称至少需要 2 个字');
  if (name.length > 60) throw new Error('单位名称过长，无法排入印章（最多 60 个字）');
  const purpose = characters(options.purpose ?? '电子印章');
  const code = characters(options.code ?? '');
  if (code.length > 24) throw new Error('印章编码过长（最多 24 位）');
  const layout = nameLayout(name.length, code.length > 0 ? 228 : 250);
  const starRadius = 62;
  const purposeSize = purpose.length > 0 ? Math.min(34, 190 / (purpose.length * condense)) : 0;
  const codeSize = 20;
  const codeSpan = Math.min(105, code.length * 7.5);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">
  <g font-family="${fontFamilies}" font-weight="bold" stroke="${color}" stroke-width="1.1" stroke-linejoin="round">
    <circle cx="${C}" cy="${C}" r="${ringRadius}" fill="none" stroke-width="${ringWidth}"/>
    <path d="${starPath(C, C, starRadius)}" fill="${color}"/>
    ${arcText(name, { centreDeg: 0, spanDeg: layout.spanDeg, radius: layout.radius, fontSize: layout.fontSize, upper: true, color })}
    ${
      purpose.length > 0
        ? `<text transform="translate(${C} ${C + starRadius + 20 + purposeSize * 0.86}) scale(${condense} 1)" font-size="${purposeSize.toFixed(2)}" text-anchor="middle" fill="${color}">${escapeXml(purpose.join(''))}</text>`
        : ''
    }
    ${code.length > 0 ? arcText(code, { centreDeg: 180, spanDeg: codeSpan, radius: innerEdge - 8, fontSize: codeSize, upper: false, color }) : ''}
  </g>
</svg>`;
}

/** The seal as a transparent PNG, 40 mm at 300 dpi unless `sizePx` says otherwise. */
export function renderSealPng(options: SealImageOptions): Uint8Array {
  const wanted = options.fontFiles ?? defaultSealFonts;
  const fontFiles = wanted.filter((f) => existsSync(f));
  if (fontFiles.length === 0) {
    throw new Error(
      `印章字体缺失，无法绘制印章图像：${wanted.join('、')} 均不存在（Debian 软件包 fonts-dejavu-core、fonts-droid-fallback）`,
    );
  }
  const resvg = new Resvg(sealSvg(options), {
    fitTo: { mode: 'width', value: options.sizePx ?? sealPixels },
    font: {
      fontFiles,
      loadSystemFonts: false,
      defaultFontFamily: 'Droid Sans Fallback',
    },
  });
  return new Uint8Array(resvg.render().asPng());
}
