/**
 * Line breaking for Chinese mixed with Latin text. Chinese has no spaces, so a line may break
 * after any ideograph; Latin words and numbers (an ID number, a phone number, a USCC) stay whole
 * unless they alone are wider than the line. The usual rules of Chinese typesetting (避头尾)
 * apply: no line starts with a closing mark such as ，。）and none ends with an opening one.
 * Pure: widths come from the caller's `measure`.
 */

/** Width of `text` at the size in use. */
export type Measure = (text: string) => number;

/** Marks that must not begin a line. */
const NO_LINE_START = new Set(Array.from('，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}'));
/** Marks that must not end a line. */
const NO_LINE_END = new Set(Array.from('（《「『【〔〈“‘([{'));

/** Latin words and numbers with their inner punctuation; each kept together when possible. */
const TOKEN = /[A-Za-z0-9][A-Za-z0-9@._\-+/#&%*]*|[ \t]+|\n|./gsu;

interface Token {
  text: string;
  width: number;
  space: boolean;
}

function tokenize(text: string, measure: Measure): Token[] {
  return (text.match(TOKEN) ?? []).map((t) => ({
    text: t,
    width: t === '\n' ? 0 : measure(t),
    space: /^[ \t]+$/.test(t),
  }));
}

function lineText(tokens: Token[]): string {
  return tokens.map((t) => t.text).join('').trimEnd();
}

/**
 * Breaks `text` into lines no wider than `maxWidth`. `firstIndent` narrows the first line of
 * each paragraph (首行缩进); a `\n` starts a new paragraph.
 */
export function wrapText(
  text: string,
  maxWidth: number,
  measure: Measure,
  firstIndent = 0,
): string[] {
  const queue = tokenize(text, measure);
  const lines: string[] = [];
  let line: Token[] = [];
  let width = 0;
  let available = maxWidth - firstIndent;
  let continuation = false;

  const flush = (paragraphEnds: boolean): void => {
    lines.push(lineText(line));
    line = [];
    width = 0;
    available = paragraphEnds ? maxWidth - firstIndent : maxWidth;
    continuation = !paragraphEnds;
  };

  for (let i = 0; i < queue.length; i++) {
    const token = queue[i]!;
    if (token.text === '\n') {
      flush(true);
      continue;
    }
    if (token.space && line.length === 0 && continuation) continue; // no blank at a wrapped start
    if (width + token.width <= available + 1e-6) {
      line.push(token);
      width += token.width;
      continue;
    }
    if (token.space) {
      flush(false);
      continue;
    }
    if (token.width > available && token.text.length > 1) {
      // A word wider than a whole line: break it between characters, like ideographs.
      const chars = Array.from(token.text).map((c) => ({ text: c, width: measure(c), space: false }));
      queue.splice(i, 1, ...chars);
      i--;
      continue;
    }
    // Carry over what may not stay at the end, and what must not be left alone at the start.
    const carried: Token[] = [];
    const mustCarryOne = NO_LINE_START.has(Array.from(token.text)[0]!);
    while (line.length > 1) {
      const last = line[line.length - 1]!;
      const opens = NO_LINE_END.has(last.text);
      if (!opens && !(mustCarryOne && carried.length === 0)) break;
      if (!opens && last.space) break;
      carried.unshift(line.pop()!);
    }
    if (line.length === 0) {
      line = carried;
    } else {
      flush(false);
      line = carried;
    }
    width = line.reduce((sum, t) => sum + t.width, 0);
    line.push(token);
    width += token.width;
  }
  if (line.length > 0 || lines.length === 0) lines.push(lineText(line));
  return lines;
}

const HAN = /\p{Script=Han}/u;
const LATIN_EDGE = /[A-Za-z0-9]/;

/**
 * A template tag that puts a space between Chinese text and an inserted Latin value and back
 * (向 CertDesk 数字证书认证中心办理), so a name reads well whichever script it is in. Only the
 * seams between the template and its values are touched: the values are printed as given.
 */
export function zh(strings: TemplateStringsArray, ...values: readonly string[]): string {
  const needsSpace = (a: string | undefined, b: string | undefined): boolean =>
    a !== undefined &&
    b !== undefined &&
    ((HAN.test(a) && LATIN_EDGE.test(b)) || (LATIN_EDGE.test(a) && HAN.test(b)));
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    const after = strings[i + 1] ?? '';
    if (needsSpace(out.at(-1), value.at(0))) out += ' ';
    out += value;
    if (needsSpace(value.at(-1), after.at(0))) out += ' ';
    out += after;
  });
  return out;
}
