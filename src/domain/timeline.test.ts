import { describe, expect, it } from 'vitest';
import { applicantTimeline, staffTimeline, type AuditRecordView } from './timeline.ts';

const at = (m: number) => new Date(Date.UTC(2026, 10, 25, 1, m));
const records: AuditRecordView[] = [
  { id: 1, at: at(0), action: 'application.create', actorKind: 'applicant', actorId: 'p', data: { number: 'A1' } },
  { id: 2, at: at(5), action: 'application.submit', actorKind: 'applicant', actorId: 'p', data: { from: 'draft', to: 'pending_review' } },
  { id: 3, at: at(9), action: 'review.first_approval', actorKind: 'staff', actorId: 's1', data: { number: 'A1' } },
  {
    id: 4,
    at: at(12),
    action: 'application.return',
    actorKind: 'staff',
    actorId: 's2',
    data: { from: 'pending_review', to: 'needs_changes', summary: '企业印章：印章模糊' },
  },
];

describe('timelines', () => {
  it('shows the applicant statuses with times, and no staff-only step or name', () => {
    const t = applicantTimeline(records);
    expect(t.map((e) => [e.title, e.statusLabel])).toEqual([
      ['创建申请', null],
      ['提交', '待审核'],
      ['审核不通过', '待修改'],
    ]);
    expect(t[2]?.detail).toBe('企业印章：印章模糊');
    expect(t.some((e) => 'actor' in e)).toBe(false);
  });

  it('shows staff who did what, including a 初审通过', () => {
    const t = staffTimeline(records, new Map([['s1', '审核员甲']]));
    expect(t.map((e) => [e.title, e.actor])).toEqual([
      ['创建申请', '申请人'],
      ['提交', '申请人'],
      ['初审通过（待复核）', '审核员甲'],
      ['审核不通过', '员工'],
    ]);
  });
});
