/** Money is kept in integer fen; this is the only place it becomes yuan, for display. */
export function formatYuan(fen: number): string {
  if (!Number.isInteger(fen)) throw new Error(`amount in fen must be an integer: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The most an administrator may set as a price, in fen (100000 元): a typo guard, not a policy. */
export const MAX_PRICE_FEN = 100_000_00;

/**
 * 元 as typed ("195", "195.5", "195.50") → fen, exactly: no floating point touches money.
 * Undefined when the text is not an amount with at most two decimals.
 */
export function parseYuan(text: string): number | undefined {
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/**
 * What a term costs: the first year at the first-application price, each further year at the
 * renewal price (the price list reads “首次办理 195 元/年，次年续费 160 元/年”).
 */
export function termPriceFen(firstFen: number, renewalFen: number, years: number): number {
  if (!Number.isInteger(years) || years < 1) throw new Error(`term must be a whole number of years: ${years}`);
  return firstFen + renewalFen * (years - 1);
}
