/** Display formats shared by every page. Money travels as integer fen and is shown in yuan. */
export function formatFen(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}
