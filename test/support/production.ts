/**
 * Applications brought to 已支付 for the production tests. Review goes through its HTTP API; the
 * payment is written directly through fireTransition (银行汇款: submit_voucher by the applicant,
 * confirm_payment by a 财务) because the payment flows are tested in their own suite.
 */
import { expect } from 'vitest';
import type { Principal } from '../../src/domain/principal.ts';
import * as apps from '../../src/modules/applications/repository.ts';
import { fireTransition } from '../../src/modules/applications/transitions.ts';
import type { TestApp } from './app.ts';
import { loggedInApplicant, submittedApplication } from './applicant.ts';
import type { TestClient } from './http.ts';
import { loggedInStaff, newStaffAccount, type StaffTestClock } from './staff.ts';

/** A producer (制证员) with a session. */
export function producerClient(t: TestApp, clock: StaffTestClock): Promise<TestClient> {
  return loggedInStaff(t, clock, ['producer']);
}

/** Marks an approved application paid, as 银行汇款 confirmed by 财务 would. */
export async function markPaid(t: TestApp, id: string, at: Date): Promise<void> {
  const finance = await newStaffAccount(t, ['finance'], at);
  const financePrincipal: Principal = { kind: 'staff', id: finance.id, username: finance.username, roles: ['finance'] };
  await t.certdesk.database.db.transaction(async (tx) => {
    const approved = await apps.lockById(tx, id);
    if (!approved) throw new Error(`no application ${id}`);
    const applicant: Principal = { kind: 'applicant', id: approved.applicantId, phone: approved.operatorPhone };
    const waiting = await fireTransition(tx, approved, 'submit_voucher', applicant, at);
    await fireTransition(tx, waiting, 'confirm_payment', financePrincipal, at);
  });
}

/** An applicant with an application at 已支付: submitted, 审核通过 by a reviewer, paid. */
export async function paidApplication(
  t: TestApp,
  clock: StaffTestClock,
  options: { applicant?: TestClient; delivery?: object; termYears?: number } = {},
) {
  const client = options.applicant ?? (await loggedInApplicant(t));
  const draft = await submittedApplication(client, 'nmg-etax', options.delivery, options.termYears);
  const reviewer = await loggedInStaff(t, clock, ['reviewer']);
  const approved = await reviewer.post(`/api/review/applications/${draft.id}/decision`, { decision: 'approve' });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  await markPaid(t, draft.id, clock.now());
  return { applicant: client, id: draft.id, number: draft.number };
}

/** 签发证书 as a 软证书 through the CA module, so that 邮寄 / 通知自取 may follow. */
export async function issueSoftwareCertificate(producer: TestClient, id: string, family: 'sm2' | 'p256' = 'sm2'): Promise<string> {
  const issued = await producer.post<{ certificates: { serialHex: string }[] }>(`/api/production/applications/${id}/certificates`, { mode: 'software', family });
  expect(issued.status, JSON.stringify(issued.body)).toBe(200);
  return issued.body.certificates[0]!.serialHex;
}

/**
 * Everything an order hands over: a 软证书 issued, the seal picture approved by the applicant
 * (确认印章) and the electronic seal made — what 邮寄 / 通知自取 require.
 */
export async function certificateAndSeal(producer: TestClient, applicant: TestClient, id: string): Promise<string> {
  const serial = await issueSoftwareCertificate(producer, id, 'sm2');
  const approved = await applicant.post(`/api/applications/${id}/seal/approve`);
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const made = await producer.post(`/api/production/applications/${id}/seal`);
  expect(made.status, JSON.stringify(made.body)).toBe(200);
  return serial;
}
