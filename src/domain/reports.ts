/**
 * 运营看板's definitions: the steps of the funnel, the manual's 制证周期, the period a report covers
 * (Beijing dates) and the labels of what SQL hands back.
 * Pure: the reports repository turns these into SQL, the page reads the labels.
 */
import { AppError } from './errors.ts';
import { statusLabels, type ApplicationStatus } from './application.ts';
import { paymentMethodLabels, type PaymentMethod } from './payment.ts';
import { applicationKindLabels, type ApplicationKind } from './renewal.ts';

/** The manual: 支付完成后等待制证邮寄（制证周期2天+物流周期）. Paid → posted, ready for pickup or done online. */
export const PRODUCTION_CYCLE_HOURS = 48;

/** The funnel from 提交 to 已完成: a step is reached when its milestone is (domain/milestones.ts). */
export const funnelSteps = [
  { key: 'submitted', label: '提交' },
  { key: 'approved', label: '审核通过' },
  { key: 'paid', label: '已支付' },
  { key: 'inProduction', label: '制证中' },
  { key: 'delivered', label: '已发出' },
  { key: 'completed', label: '已完成' },
] as const;
export type FunnelStep = (typeof funnelSteps)[number]['key'];

/** The longest period one report or export covers. */
export const MAX_REPORT_DAYS = 370;
const DAY_MS = 24 * 3600_000;

export interface Period {
  /** Beijing dates, YYYY-MM-DD, both included. */
  from: string;
  to: string;
}

/** A period of Beijing dates as the instants [start, end): from 00:00 +08 of `from` to 00:00 +08 after `to`. */
export function periodBounds(p: Period): [Date, Date] {
  const start = new Date(`${p.from}T00:00:00+08:00`);
  const end = new Date(new Date(`${p.to}T00:00:00+08:00`).getTime() + DAY_MS);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw new AppError('PERIOD_INVALID', '日期格式应为 YYYY-MM-DD', 400);
  if (end <= start) throw new AppError('PERIOD_INVALID', '开始日期不能晚于结束日期', 400);
  if (end.getTime() - start.getTime() > MAX_REPORT_DAYS * DAY_MS) throw new AppError('PERIOD_TOO_LONG', '一次最多查询一年', 400);
  return [start, end];
}

/** Every Beijing date of the period, in order: the x axis of the daily charts (days without data too). */
export function periodDays(p: Period): string[] {
  const [start, end] = periodBounds(p);
  const days: string[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += DAY_MS) days.push(new Date(t + 8 * 3600_000).toISOString().slice(0, 10));
  return days;
}

/** Labels of the values SQL hands back as text (an unknown value shows as it is). */
export const kindLabel = (kind: string): string => applicationKindLabels[kind as ApplicationKind] ?? kind;
export const statusLabel = (status: string): string => statusLabels[status as ApplicationStatus] ?? status;
export const methodLabel = (method: string): string => paymentMethodLabels[method as PaymentMethod] ?? method;
