/**
 * One timeline per application, read from its audit records: the applicant sees its statuses with
 * times; staff also see who did what, including actions that change no status (初审通过).
 */
import { isApplicationStatus, statusLabels } from './application.ts';
import { timelineTitle } from './audit-actions.ts';

export interface AuditRecordView {
  id: number;
  at: Date;
  action: string;
  actorKind: string;
  actorId: string;
  data: Record<string, unknown>;
}

export interface TimelineEntry {
  id: number;
  at: string;
  /** What happened, as the user reads it: 提交, 审核通过, 初审通过 … */
  title: string;
  /** The status it led to, when it changed one. */
  statusLabel: string | null;
  /** A reason or summary worth reading (审核不通过's items). */
  detail: string | null;
  /** Staff view only: who did it. */
  actor?: string;
}

function statusOf(data: Record<string, unknown>): string | null {
  const to = data['to'];
  return typeof to === 'string' && isApplicationStatus(to) ? statusLabels[to] : null;
}

function entry(r: AuditRecordView): TimelineEntry | undefined {
  const t = timelineTitle(r.action);
  if (!t) return undefined;
  const summary = r.data['summary'];
  return { id: r.id, at: r.at.toISOString(), title: t, statusLabel: statusOf(r.data), detail: typeof summary === 'string' ? summary : null };
}

/** The applicant's view: the creation and every status change, oldest first. */
export function applicantTimeline(records: readonly AuditRecordView[]): TimelineEntry[] {
  return records
    .filter((r) => r.action === 'application.create' || statusOf(r.data) !== null)
    .flatMap((r) => entry(r) ?? []);
}

/** Staff's view: everything recorded about the application, with who did it. */
export function staffTimeline(records: readonly AuditRecordView[], staffNames: ReadonlyMap<string, string>): TimelineEntry[] {
  return records.flatMap((r) => {
    const e = entry(r) ?? { id: r.id, at: r.at.toISOString(), title: r.action, statusLabel: statusOf(r.data), detail: null };
    const actor =
      r.actorKind === 'staff' ? (staffNames.get(r.actorId) ?? '员工') : r.actorKind === 'applicant' ? '申请人' : '系统';
    return [{ ...e, actor }];
  });
}
