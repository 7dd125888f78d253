/**
 * Text that runs over as many A4 pages as it needs (a contract, unlike a form, is not one
 * sheet): paragraphs break between lines, blocks that belong together (a signature block, a
 * table) move whole to the next page, and every page gets its running header and its
 * "第 n 页 / 共 N 页" once the number of pages is known. Drawing itself is layout.ts's Sheet.
 */
import { type PDFDocument, type PDFPage, PageSizes } from '@cantoo/pdf-lib';
import { GREY, type Margins, Sheet, type TextStyle, type Typeface } from './layout.ts';

export class PageFlow {
  readonly pages: PDFPage[] = [];
  private page!: PDFPage;
  /** The sheet of the current page; its `y` is where the next content goes. */
  sheet!: Sheet;

  constructor(
    private readonly doc: PDFDocument,
    readonly type: Typeface,
    private readonly margins: Margins,
  ) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage(PageSizes.A4);
    this.pages.push(this.page);
    this.sheet = new Sheet(this.page, this.type, 1, true, this.margins);
  }

  get pageIndex(): number {
    return this.pages.length - 1;
  }

  /** Moves to a new page unless `height` points are left on this one. */
  ensure(height: number): void {
    if (this.sheet.y - height < this.sheet.bottom && this.sheet.y < this.sheet.top) this.newPage();
  }

  /** The height `draw` takes from the current position, drawing nothing. */
  measure(draw: (sheet: Sheet) => void): number {
    const trial = new Sheet(this.page, this.type, 1, false, this.margins);
    trial.y = this.sheet.y;
    draw(trial);
    return this.sheet.y - trial.y;
  }

  /** Draws `draw` on this page if it fits, else at the top of the next. */
  keepTogether(draw: (sheet: Sheet) => void): void {
    this.ensure(this.measure(draw));
    draw(this.sheet);
  }

  /**
   * A paragraph that may continue on the next page. `indentChars` indents its first line
   * (首行缩进); `hanging` is the width that every line after the first is indented by (a
   * numbered item's text aligned after its number).
   */
  paragraph(text: string, style: TextStyle, opts: { indentChars?: number; hanging?: number } = {}): void {
    const { sheet } = this;
    const indent = this.type.width('中', style.size) * (opts.indentChars ?? 0);
    const hanging = opts.hanging ?? 0;
    // A negative first indent widens the first line: the others are narrowed by `hanging`.
    const lines = sheet.wrap(text, sheet.width - hanging, style.size, indent - hanging);
    const lh = sheet.lineHeight(style);
    lines.forEach((line, i) => {
      this.ensure(lh);
      const s = this.sheet;
      const x = s.left + (i === 0 ? indent : hanging);
      s.text(line, x, s.baselineFor(s.y - lh / 2, style.size), style);
      s.y -= lh;
    });
  }

  /**
   * The running header and footer of every page: `header` at the top left and `headerRight`
   * flush right above a hairline, the page number centred at the foot.
   */
  decorate(header: string, headerRight: string): void {
    const count = this.pages.length;
    const style: TextStyle = { size: 8, color: GREY };
    this.pages.forEach((page, i) => {
      const top = new Sheet(page, this.type, 1, true, { ...this.margins, top: this.margins.top - 26 });
      top.spread(header, headerRight, style);
      top.line(top.left, top.y - 1, top.right, top.y - 1, 0.4, GREY);
      const footTop = page.getHeight() - (this.margins.bottom - 22);
      const foot = new Sheet(page, this.type, 1, true, { ...this.margins, top: footTop });
      foot.centred(`第 ${i + 1} 页 / 共 ${count} 页`, { size: 9, color: GREY });
    });
  }
}
