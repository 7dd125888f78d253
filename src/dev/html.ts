/**
 * What the development pages (/dev/sms, /dev/mail, /dev/registry) share: escaping, times and the
 * page frame, a self-contained Chinese page with no scripts and nothing loaded from elsewhere, that
 * says it exists only in development and demonstration mode.
 */

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** YYYY-MM-DD HH:mm:ss in Asia/Shanghai; China has kept UTC+8 without daylight saving since 1991. */
export function shanghaiTime(date: Date): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export interface DevPage {
  /** Plain text: the <title> and the <h1>. */
  title: string;
  /** Plain text: the note under the heading that says what the page is and is not. */
  note: string;
  /** Reload the page every so many seconds. */
  refreshSeconds?: number;
  /** CSS margin of the tables, e.g. `margin-top: 1rem`. */
  tableMargin: string;
  /** Further CSS rules, one a line, after the shared ones. */
  styles: string[];
  /** HTML after the note, already escaped. */
  body: string;
}

export function renderDevPage(page: DevPage): string {
  const refresh = page.refreshSeconds === undefined ? '' : `<meta http-equiv="refresh" content="${page.refreshSeconds}">\n`;
  const styles = [
    'body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2rem; color: #222; }',
    '.note { color: #8a6d3b; background: #fcf8e3; border: 1px solid #faebcc; padding: .5rem .75rem; }',
    `table { border-collapse: collapse; width: 100%; ${page.tableMargin}; }`,
    'th, td { border: 1px solid #ddd; padding: .4rem .6rem; text-align: left; vertical-align: top; }',
    'th { background: #f5f5f5; }',
    ...page.styles,
  ];
  const title = escapeHtml(page.title);
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}<title>${title}</title>
<style>
${styles.join('\n')}
</style>
</head>
<body>
<h1>${title}</h1>
<p class="note">${escapeHtml(page.note)}</p>
${page.body}
</body>
</html>
`;
}
