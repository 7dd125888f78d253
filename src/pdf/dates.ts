/**
 * Dates as Chinese documents print them, always in Asia/Shanghai whatever the server's zone
 * (times are stored in UTC).
 */
const SHANGHAI = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function parts(date: Date): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  const all = SHANGHAI.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): string => all.find((p) => p.type === type)?.value ?? '';
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

/** 2026年11月25日, the calendar day in Asia/Shanghai. */
export function chineseDate(date: Date): string {
  const p = parts(date);
  return `${p.year}年${Number(p.month)}月${Number(p.day)}日`;
}

/** 2026-11-25, the calendar day in Asia/Shanghai. */
export function isoDay(date: Date): string {
  const p = parts(date);
  return `${p.year}-${p.month}-${p.day}`;
}

/** 2026-11-25 14:30:05 (北京时间), to the second, as evidence is quoted. */
export function beijingTime(date: Date): string {
  const p = parts(date);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}（北京时间）`;
}
