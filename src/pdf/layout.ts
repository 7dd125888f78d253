/**
 * Drawing primitives for one-page official forms: text in two faces, wrapped paragraphs, bordered
 * tables whose cells grow with their content, blanks to fill by hand and a box for the seal.
 * A Sheet runs in two modes: measuring (draws nothing, only moves its cursor) and drawing, so a
 * document can first find the scale at which it fits the page, then draw at that scale.
 */
import {
  type Color,
  type PDFFont,
  type PDFPage,
  TextRenderingMode,
  grayscale,
  popGraphicsState,
  pushGraphicsState,
  setCharacterSpacing,
  setLineWidth,
  setStrokingColor,
  setTextRenderingMode,
} from '@cantoo/pdf-lib';
import type { GlyphMetrics } from './fonts.ts';
import { wrapText } from './text.ts';

/** The CJK face, and a Latin one for the characters the CJK font lacks (Droid has no Latin). */
export class Typeface {
  private readonly latinChars: Set<number>;
  private readonly unitWidths = new Map<string, number>();

  constructor(
    readonly cjk: PDFFont,
    private readonly cjkMetrics: GlyphMetrics,
    readonly latin: PDFFont,
  ) {
    this.latinChars = new Set(latin.getCharacterSet());
  }

  /** The face a character is drawn in: CJK when it has the glyph, else Latin when that has it. */
  fontFor(char: string): PDFFont {
    const code = char.codePointAt(0) ?? 0;
    if (this.cjkMetrics.has(code)) return this.cjk;
    return this.latinChars.has(code) ? this.latin : this.cjk;
  }

  /** Consecutive characters that share a face. */
  runs(text: string): Array<{ font: PDFFont; text: string }> {
    const runs: Array<{ font: PDFFont; text: string }> = [];
    for (const char of text) {
      const font = this.fontFor(char);
      const last = runs.at(-1);
      if (last !== undefined && last.font === font) last.text += char;
      else runs.push({ font, text: char });
    }
    return runs;
  }

  /** Width as a viewer lays it out: the sum of glyph advances (the PDF carries no kerning). */
  width(text: string, size: number): number {
    let units = 0;
    for (const char of text) {
      let w = this.unitWidths.get(char);
      if (w === undefined) {
        const font = this.fontFor(char);
        w = font === this.cjk ? this.cjkMetrics.advance(char) : font.widthOfTextAtSize(char, 1);
        this.unitWidths.set(char, w);
      }
      units += w;
    }
    return units * size;
  }
}

export interface TextStyle {
  size: number;
  bold?: boolean;
  color?: Color;
  /** Extra space after each character, in points (标题字距). */
  spacing?: number;
  /** Line height as a multiple of the size; 1.55 unless given. */
  leading?: number;
}

export interface Field {
  label: string;
  value: string;
}

/** A row of a form table: a section heading, one or two label/value pairs, or free content. */
export type TableRow =
  | { kind: 'section'; title: string }
  | { kind: 'fields'; fields: [Field] | [Field, Field] }
  | { kind: 'block'; render: (sheet: Sheet, x: number, top: number, width: number) => number };

export const BLACK = grayscale(0);
export const GREY = grayscale(0.45);
const LABEL_FILL = grayscale(0.94);
const SECTION_FILL = grayscale(0.86);

/** The ideograph's visual centre sits about 0.36 em above the baseline. */
const CENTRE_ABOVE_BASELINE = 0.36;

export interface Margins {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export class Sheet {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  /** Top of the free space; content goes below it. */
  y: number;

  constructor(
    private readonly page: PDFPage,
    readonly type: Typeface,
    /** Multiplies every font size and padding (not the seal box: a seal has a real size). */
    readonly scale: number,
    private readonly drawing: boolean,
    margins: Margins,
  ) {
    this.left = margins.left;
    this.right = page.getWidth() - margins.right;
    this.top = page.getHeight() - margins.top;
    this.bottom = margins.bottom;
    this.y = this.top;
  }

  get width(): number {
    return this.right - this.left;
  }

  /** A base size in points at this sheet's scale. */
  s(points: number): number {
    return points * this.scale;
  }

  lineHeight(style: TextStyle): number {
    return style.size * (style.leading ?? 1.55);
  }

  textWidth(text: string, style: TextStyle): number {
    const chars = Array.from(text).length;
    return this.type.width(text, style.size) + (style.spacing ?? 0) * Math.max(chars - 1, 0);
  }

  wrap(text: string, width: number, size: number, firstIndent = 0): string[] {
    return wrapText(text, width, (t) => this.type.width(t, size), firstIndent);
  }

  /** Draws one line of text with its baseline at `baseline`; returns the x where it ends. */
  text(text: string, x: number, baseline: number, style: TextStyle): number {
    const end = x + this.textWidth(text, style);
    if (!this.drawing || text === '') return end;
    const color = style.color ?? BLACK;
    const spacing = style.spacing ?? 0;
    const bold = style.bold === true;
    if (bold || spacing !== 0) {
      this.page.pushOperators(pushGraphicsState());
      // One face only: bold is the glyph outline stroked over its fill.
      if (bold) {
        this.page.pushOperators(
          setTextRenderingMode(TextRenderingMode.FillAndOutline),
          setLineWidth(style.size * 0.035),
          setStrokingColor(color),
        );
      }
      if (spacing !== 0) this.page.pushOperators(setCharacterSpacing(spacing));
    }
    let cursor = x;
    for (const run of this.type.runs(text)) {
      this.page.drawText(run.text, { x: cursor, y: baseline, size: style.size, font: run.font, color });
      cursor += this.textWidth(run.text, style) + spacing;
    }
    if (bold || spacing !== 0) this.page.pushOperators(popGraphicsState());
    return end;
  }

  /** Baseline of a line of `size` text whose line box is centred at `centreY`. */
  baselineFor(centreY: number, size: number): number {
    return centreY - size * CENTRE_ABOVE_BASELINE;
  }

  line(x1: number, y1: number, x2: number, y2: number, thickness = 0.6, color: Color = BLACK): void {
    if (!this.drawing) return;
    this.page.drawLine({ start: { x: x1, y: y1 }, end: { x: x2, y: y2 }, thickness, color });
  }

  /** A rectangle given by its top-left corner. */
  rect(
    x: number,
    top: number,
    width: number,
    height: number,
    look: { fill?: Color; border?: Color; borderWidth?: number; dash?: number[] },
  ): void {
    if (!this.drawing) return;
    this.page.drawRectangle({
      x,
      y: top - height,
      width,
      height,
      ...(look.fill === undefined ? {} : { color: look.fill }),
      ...(look.border === undefined
        ? {}
        : { borderColor: look.border, borderWidth: look.borderWidth ?? 0.6 }),
      ...(look.dash === undefined ? {} : { borderDashArray: look.dash }),
    });
  }

  /** Lines of text set from `top` down inside `width`; returns the height used. */
  paragraphAt(
    text: string,
    x: number,
    top: number,
    width: number,
    style: TextStyle,
    indentChars = 0,
  ): number {
    const indent = this.type.width('中', style.size) * indentChars;
    const lh = this.lineHeight(style);
    const paragraphs = text.split('\n');
    let y = top;
    for (const paragraph of paragraphs) {
      this.wrap(paragraph, width, style.size, indent).forEach((line, i) => {
        this.text(line, x + (i === 0 ? indent : 0), this.baselineFor(y - lh / 2, style.size), style);
        y -= lh;
      });
    }
    return top - y;
  }

  /** A paragraph across the sheet at the cursor. */
  paragraph(text: string, style: TextStyle, indentChars = 0): void {
    this.y -= this.paragraphAt(text, this.left, this.y, this.width, style, indentChars);
  }

  /**
   * A label such as 注： followed by numbered items, each item's lines aligned after the label.
   */
  notes(label: string, items: string[], style: TextStyle): void {
    const lh = this.lineHeight(style);
    this.text(label, this.left, this.baselineFor(this.y - lh / 2, style.size), style);
    const indent = this.textWidth(label, style);
    for (const item of items) {
      this.y -= this.paragraphAt(item, this.left + indent, this.y, this.width - indent, style);
    }
  }

  /** One line centred across the sheet at the cursor. */
  centred(text: string, style: TextStyle): void {
    const lh = this.lineHeight(style);
    const x = this.left + (this.width - this.textWidth(text, style)) / 2;
    this.text(text, x, this.baselineFor(this.y - lh / 2, style.size), style);
    this.y -= lh;
  }

  /** One line with `left` at the left margin and `right` flush right. */
  spread(left: string, right: string, style: TextStyle): void {
    const lh = this.lineHeight(style);
    const baseline = this.baselineFor(this.y - lh / 2, style.size);
    this.text(left, this.left, baseline, style);
    this.text(right, this.right - this.textWidth(right, style), baseline, style);
    this.y -= lh;
  }

  gap(points: number): void {
    this.y -= this.s(points);
  }

  /** `label` followed by an underline to write on; returns the x where the line ends. */
  blank(label: string, x: number, baseline: number, lineWidth: number, style: TextStyle): number {
    const start = this.text(label, x, baseline, style);
    this.line(start + 2, baseline - 2.5, start + 2 + lineWidth, baseline - 2.5, 0.6);
    return start + 4 + lineWidth;
  }

  /** 日期：____年__月__日, to be filled by hand. */
  dateBlank(x: number, baseline: number, style: TextStyle, prefix = '日期：'): number {
    const u = this.type.width('中', style.size);
    let end = this.blank(prefix, x, baseline, u * 3.2, style);
    end = this.blank('年', end, baseline, u * 2, style);
    end = this.blank('月', end, baseline, u * 2, style);
    return this.text('日', end, baseline, style);
  }

  /** An empty box where the seal goes, with a faint note in it. */
  stampBox(x: number, top: number, side: number, note: string): void {
    this.rect(x, top, side, side, { border: GREY, borderWidth: 0.7, dash: [4, 3] });
    const style: TextStyle = { size: this.s(9), color: GREY };
    const centre = top - side / 2;
    const noteX = x + (side - this.textWidth(note, style)) / 2;
    this.text(note, noteX, this.baselineFor(centre, style.size), style);
  }

  /**
   * A bordered table at the cursor across the sheet. `labelWidths` are the widths of the first
   * and (in two-pair rows) the third column; the value columns share the rest equally.
   */
  table(rows: TableRow[], labelWidths: [number, number]): void {
    const [l1, l2] = labelWidths.map((w) => this.s(w)) as [number, number];
    const v = (this.width - l1 - l2) / 2;
    const pad = this.s(6);
    const minHeight = this.s(25);
    const body: TextStyle = { size: this.s(10.5) };
    const top = this.y;

    const cell = (text: string, x: number, rowTop: number, w: number, h: number, label: boolean) => {
      if (label) this.rect(x, rowTop, w, h, { fill: LABEL_FILL });
      const lines = this.wrap(text, w - 2 * pad, body.size);
      const lh = this.lineHeight(body);
      let centre = rowTop - (h - lines.length * lh) / 2 - lh / 2;
      for (const line of lines) {
        const lx = label ? x + (w - this.textWidth(line, body)) / 2 : x + pad;
        this.text(line, lx, this.baselineFor(centre, body.size), body);
        centre -= lh;
      }
      this.rect(x, rowTop, w, h, { border: BLACK, borderWidth: 0.6 });
    };
    const heightOf = (text: string, w: number): number =>
      this.wrap(text, w - 2 * pad, body.size).length * this.lineHeight(body) + 2 * pad;

    for (const row of rows) {
      const rowTop = this.y;
      if (row.kind === 'section') {
        const style: TextStyle = { size: this.s(10.5), bold: true };
        const h = this.s(22);
        this.rect(this.left, rowTop, this.width, h, { fill: SECTION_FILL, border: BLACK });
        this.text(row.title, this.left + pad, this.baselineFor(rowTop - h / 2, style.size), style);
        this.y -= h;
      } else if (row.kind === 'fields') {
        const cols: Array<{ text: string; width: number; label: boolean }> =
          row.fields.length === 1
            ? [
                { text: row.fields[0].label, width: l1, label: true },
                { text: row.fields[0].value, width: this.width - l1, label: false },
              ]
            : [
                { text: row.fields[0].label, width: l1, label: true },
                { text: row.fields[0].value, width: v, label: false },
                { text: row.fields[1].label, width: l2, label: true },
                { text: row.fields[1].value, width: v, label: false },
              ];
        const h = Math.max(minHeight, ...cols.map((c) => heightOf(c.text, c.width)));
        let x = this.left;
        for (const c of cols) {
          cell(c.text, x, rowTop, c.width, h, c.label);
          x += c.width;
        }
        this.y -= h;
      } else {
        const h = row.render(this, this.left, rowTop, this.width);
        this.rect(this.left, rowTop, this.width, h, { border: BLACK });
        this.y -= h;
      }
    }
    // A heavier frame round the whole table, as printed forms have.
    this.rect(this.left, top, this.width, top - this.y, { border: BLACK, borderWidth: 1.2 });
  }
}
