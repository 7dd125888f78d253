/** Money is kept in integer fen; this is the only place it becomes yuan, for display. */
export function formatYuan(fen: number): string {
  if (!Number.isInteger(fen)) throw new Error(`amount in fen must be an integer: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
