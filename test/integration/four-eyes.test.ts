/**
 * Four eyes and the timeline over HTTP: on a project that requires a second reviewer, the first
 * 审核通过 is 初审通过 (still 待审核, flagged 待复核), the same reviewer cannot confirm it, another
 * can. The applicant's timeline shows statuses with times; staff's shows who did what.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projects } from '../../src/db/schema.ts';
import { movableClock, startTestApp, type TestApp } from '../support/app.ts';
import { company, loggedInApplicant, postDelivery } from '../support/applicant.ts';
import type { ErrorBody } from '../support/http.ts';
import { submittedApplication } from '../support/scenario.ts';
import { staffSession } from '../support/staff.ts';

const clock = movableClock();
let t: TestApp;
/** A project of this run's own: CI's PostgreSQL is shared by every suite and every run. */
const projectId = `four-eyes-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  t = await startTestApp({ clock: clock.now });
  await t.certdesk.database.db.insert(projects).values({
    id: projectId,
    name: '双人审核测试项目',
    extraAttachments: { enterprise: [], institution: [] },
    requiresSecondReview: true,
    sortOrder: 999,
  });
});
afterAll(async () => {
  await t?.close();
});

async function staff(roles: ('reviewer' | 'finance')[], name?: string) {
  const { client, id, username } = await staffSession(t, roles, clock.now());
  return { client, id, username, name };
}

interface Decided {
  status: string;
  statusLabel: string;
  stage: 'first' | 'final' | null;
}
interface Entry {
  title: string;
  statusLabel: string | null;
  detail: string | null;
  actor?: string;
  at: string;
}

describe('双人审核', () => {
  it('needs two different reviewers to approve, and the timelines tell who did what', async () => {
    const applicant = await loggedInApplicant(t);
    const { id, number } = await submittedApplication(t, applicant, { projectId });
    const first = await staff(['reviewer']);
    const second = await staff(['reviewer']);

    const detail = await first.client.get<{ requiresSecondReview: boolean }>(`/api/review/applications/${id}`);
    expect(detail.body.requiresSecondReview).toBe(true);

    const initial = await first.client.post<Decided>(`/api/review/applications/${id}/decision`, { decision: 'approve' });
    expect(initial.status, JSON.stringify(initial.body)).toBe(200);
    expect(initial.body).toMatchObject({ statusLabel: '待审核', stage: 'first' });

    const queue = await second.client.get<{ items: { id: string; flags: string[] }[] }>(`/api/review/queue?q=${number}`);
    expect(queue.body.items.find((i) => i.id === id)?.flags).toContain('待复核');
    const seen = await second.client.get<{ previousDecision: { decision: string; reviewer: string } }>(`/api/review/applications/${id}`);
    expect(seen.body.previousDecision).toMatchObject({ decision: 'first_approval', reviewer: '测试reviewer' });

    const again = await first.client.post<ErrorBody>(`/api/review/applications/${id}/decision`, { decision: 'approve' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('本项目需要另一名审核员复核，初审人不能复核同一申请');

    const final = await second.client.post<Decided>(`/api/review/applications/${id}/decision`, { decision: 'approve' });
    expect(final.body).toMatchObject({ statusLabel: '资料审核通过', stage: 'final' });

    const mine = await applicant.get<{ entries: Entry[] }>(`/api/applications/${id}/timeline`);
    expect(mine.status).toBe(200);
    expect(mine.body.entries.map((e) => [e.title, e.statusLabel])).toEqual([
      ['创建申请', null],
      ['提交', '待审核'],
      ['审核通过', '资料审核通过'],
    ]);
    expect(mine.body.entries.every((e) => e.actor === undefined && !Number.isNaN(Date.parse(e.at)))).toBe(true);

    const finance = await staff(['finance']);
    const staffView = await finance.client.get<{ number: string; entries: Entry[] }>(`/api/console/applications/${id}/timeline`);
    expect(staffView.status).toBe(200);
    expect(staffView.body.number).toBe(number);
    expect(staffView.body.entries.map((e) => [e.title, e.actor])).toEqual([
      ['创建申请', '申请人'],
      ['同意签署电子合同', '申请人'],
      ['已阅读合同', '申请人'],
      ['提交', '申请人'],
      ['初审通过（待复核）', '测试reviewer'],
      ['审核通过', '测试reviewer'],
    ]);
  });

  it('lets the first reviewer return it, and counts again after 再次提交', async () => {
    const applicant = await loggedInApplicant(t);
    const { id } = await submittedApplication(t, applicant, { projectId });
    const a = await staff(['reviewer']);
    const b = await staff(['reviewer']);
    expect((await a.client.post<Decided>(`/api/review/applications/${id}/decision`, { decision: 'approve' })).body.stage).toBe('first');
    const returned = await b.client.post<Decided>(`/api/review/applications/${id}/decision`, {
      decision: 'return',
      items: [{ item: 'field:invoice', reason: '请开具增值税普通发票' }],
    });
    expect(returned.body.statusLabel).toBe('待修改');
    const fix = await applicant.request('PUT', `/api/applications/${id}/form`, {
      projectId,
      invoice: { wanted: true, type: 'normal', title: company.name, taxNumber: company.uscc, email: 'finance@example.cn' },
      delivery: postDelivery,
    });
    expect(fix.status, JSON.stringify(fix.body)).toBe(200);
    const again = await applicant.post(`/api/applications/${id}/resubmit`);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    // After 再次提交 the earlier 初审通过 no longer counts: b's approval is a new 初审通过.
    expect((await b.client.post<Decided>(`/api/review/applications/${id}/decision`, { decision: 'approve' })).body.stage).toBe('first');
    expect((await a.client.post<Decided>(`/api/review/applications/${id}/decision`, { decision: 'approve' })).body.statusLabel).toBe(
      '资料审核通过',
    );
  });

  it('keeps each timeline to its owner and to staff', async () => {
    const owner = await loggedInApplicant(t);
    const { id } = await submittedApplication(t, owner, { projectId });
    const stranger = await loggedInApplicant(t);
    expect((await stranger.get(`/api/applications/${id}/timeline`)).status).toBe(404);
    expect((await owner.get(`/api/console/applications/${id}/timeline`)).status).toBe(401);
  });
});
