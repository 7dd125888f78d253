/**
 * Applications put at a status for tests whose subject comes after it (review, payments,
 * production, the CA, the browser pages of later steps): the same use cases the HTTP routes call —
 * the applications service from 实名认证 to 提交, the review service's 审核通过, then the payment
 * through the domain's transition door (markPaid) — called in the test's process instead of over
 * HTTP, with scans made once per worker and one reviewer and one 财务 per app. Each step writes what
 * it writes behind its route: the signed contract PDF, the acceptances with their evidence, the
 * judged scans, the audit records, the remittance code and SMS of 审核通过.
 *
 * The HTTP way there is walked by the tests about it: applications.test.ts (and submitOverHttp in
 * applicant.ts), review.test.ts's decisions, payments.test.ts, the browser journeys;
 * scenario.test.ts shows a built application equal to one submitted over HTTP.
 */
import { expect } from 'vitest';
import { applicationFormSchema } from '../../src/domain/application-form.ts';
import type { AttachmentKind } from '../../src/domain/attachments.ts';
import type { Principal, StaffRole } from '../../src/domain/principal.ts';
import * as apps from '../../src/modules/applications/repository.ts';
import { fireTransition } from '../../src/modules/applications/transitions.ts';
import type { TestApp } from './app.ts';
import { company, loggedInApplicant, person, postDelivery } from './applicant.ts';
import type { TestClient } from './http.ts';
import { jpegScan } from './images.ts';
import { newStaffAccount, type StaffTestClock } from './staff.ts';

type Applicant = Extract<Principal, { kind: 'applicant' }>;
type Staff = Extract<Principal, { kind: 'staff' }>;

export interface ScenarioOptions {
  /** 所属项目 (default 电子税务局: no scans beyond the base ones). */
  projectId?: string;
  /** 证书领取方式 (default 邮寄 by EMS). */
  delivery?: object;
  /** 服务年限 (default: absent, one year). */
  termYears?: number;
  /** 是否开具发票 (default 否). */
  invoice?: object;
}

/** What the browser's request would carry as evidence of an acceptance. */
const evidence = { ip: '127.0.0.1', userAgent: 'certdesk-test' };

/**
 * One scan per kind per worker, smaller than a page: drawing it and the server's re-encoding
 * (mozjpeg, in full) are most of an upload's time, and any legible image is a valid scan.
 */
const scans = new Map<string, Promise<Buffer>>();
const scanOf = (kind: string) => {
  let scan = scans.get(kind);
  if (!scan) scans.set(kind, (scan = jpegScan(kind, 240, 160)));
  return scan;
};

/** The applicant a client's session belongs to, as the routes see it. */
async function applicantOf(client: TestClient): Promise<Applicant> {
  const session = await client.get<{ principal: { id: string } }>('/api/auth/session');
  expect(session.status, JSON.stringify(session.body)).toBe(200);
  if (!client.phone) throw new Error('scenario: the applicant client does not know its phone (use loggedInApplicant)');
  return { kind: 'applicant', id: session.body.principal.id, phone: client.phone };
}

/** One staff account per role per app (an account costs an argon2 hash), made on first use. */
const staffByApp = new WeakMap<TestApp, Map<StaffRole, Promise<Staff>>>();
function staffOf(t: TestApp, role: StaffRole, at: Date): Promise<Staff> {
  let roles = staffByApp.get(t);
  if (!roles) staffByApp.set(t, (roles = new Map()));
  let staff = roles.get(role);
  if (!staff) {
    staff = newStaffAccount(t, [role], at).then((a) => ({ kind: 'staff' as const, id: a.id, username: a.username, roles: [role] }));
    roles.set(role, staff);
  }
  return staff;
}

/**
 * An enterprise application of `client`'s applicant through every step to 待审核: 实名认证 of the
 * registry's first person and company, 本人已同意签署合同, the base scans (and the project's own),
 * 本人已阅读合同, the form, 提交.
 */
export async function submittedApplication(t: TestApp, client: TestClient, options: ScenarioOptions = {}): Promise<{ id: string; number: string }> {
  const applications = t.certdesk.services.applications;
  const applicant = await applicantOf(client);
  const draft = await applications.verifyOperator(applicant, {
    applicantType: 'enterprise',
    operatorName: person.name,
    operatorIdNumber: person.idNumber,
    operatorPhone: person.phone,
  });
  const id = draft.id;
  const org = await applications.verifyOrganisation(applicant, id, { orgName: company.name, uscc: company.uscc, legalRepresentative: company.legalRepresentative });
  expect(org.outcome).toBe('match');
  const accept = async (kind: 'sign' | 'read') => applications.acceptContract(applicant, id, kind, await applications.contract(applicant, id), evidence);
  await accept('sign');
  const upload = async (kinds: AttachmentKind[]) => {
    for (const kind of kinds) await applications.uploadAttachment(applicant, id, kind, await scanOf(kind), `${kind}.jpg`);
  };
  await upload((await applications.view(applicant, id)).baseKinds);
  await applications.completeAttachments(applicant, id);
  await accept('read');
  const form = applicationFormSchema.parse({
    projectId: options.projectId ?? 'nmg-etax',
    invoice: options.invoice ?? { wanted: false },
    delivery: options.delivery ?? postDelivery,
    ...(options.termYears === undefined ? {} : { termYears: options.termYears }),
  });
  await applications.saveForm(applicant, id, form);
  await upload((await applications.view(applicant, id)).projectKinds);
  const submitted = await applications.submit(applicant, id);
  expect(submitted.status).toBe('pending_review');
  return { id, number: draft.number };
}

/**
 * 审核通过 by the app's scenario reviewer, as the decision route does it (the remittance code and
 * the SMS with the amount in the same transaction). A movable clock moves one TOTP step first, as
 * when a reviewer logged in for it: the times a test's steps take stay what they were over HTTP.
 */
export async function approve(t: TestApp, clock: StaffTestClock, id: string): Promise<void> {
  clock.advance?.(30);
  const reviewer = await staffOf(t, 'reviewer', clock.now());
  const { row, stage } = await t.certdesk.services.review.decide(reviewer, id, { decision: 'approve' });
  if (stage === 'first') throw new Error('scenario: this project needs a second reviewer; approve it in the test');
  expect(row.status).toBe('approved');
}

/** An application through review to 资料审核通过. */
export async function approvedApplication(t: TestApp, clock: StaffTestClock, client: TestClient, options: ScenarioOptions = {}) {
  const app = await submittedApplication(t, client, options);
  await approve(t, clock, app.id);
  return app;
}

/**
 * Marks an approved application paid, as 银行汇款 confirmed by 财务 would: submit_voucher by the
 * applicant, confirm_payment by a 财务, through fireTransition (the payment flows themselves are
 * payments.test.ts's).
 */
export async function markPaid(t: TestApp, id: string, at: Date): Promise<void> {
  const finance = await staffOf(t, 'finance', at);
  await t.certdesk.database.db.transaction(async (tx) => {
    const approved = await apps.lockById(tx, id);
    if (!approved) throw new Error(`no application ${id}`);
    const applicant: Principal = { kind: 'applicant', id: approved.applicantId, phone: approved.operatorPhone };
    const waiting = await fireTransition(tx, approved, 'submit_voucher', applicant, at);
    await fireTransition(tx, waiting, 'confirm_payment', finance, at);
  });
}

/** An applicant with an application at 已支付: submitted, 审核通过, paid. */
export async function paidApplication(
  t: TestApp,
  clock: StaffTestClock,
  options: ScenarioOptions & { applicant?: TestClient } = {},
): Promise<{ applicant: TestClient; id: string; number: string }> {
  const client = options.applicant ?? (await loggedInApplicant(t));
  const { id, number } = await approvedApplication(t, clock, client, options);
  await markPaid(t, id, clock.now());
  return { applicant: client, id, number };
}
