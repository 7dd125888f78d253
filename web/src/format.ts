/** Times as people in 内蒙古 read them, everywhere on the site: 2026-12-03 02:36, Asia/Shanghai whatever the browser's zone. */
const formatter = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

export function shanghaiTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return formatter.format(new Date(iso)).replace(/\//g, '-');
}

const clockFormatter = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** The time of day to the second, Asia/Shanghai (15:04:05): when figures that renew every minute were taken. */
export function shanghaiClock(iso: string): string {
  return clockFormatter.format(new Date(iso));
}
