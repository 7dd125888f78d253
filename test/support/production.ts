/**
 * The 制证员's steps for the production tests, over HTTP: a producer's session, 签发证书, the seal.
 * Applications reach 已支付 through the scenario builders (scenario.ts: paidApplication).
 */
import { expect } from 'vitest';
import type { TestApp } from './app.ts';
import type { TestClient } from './http.ts';
import { loggedInStaff, type StaffTestClock } from './staff.ts';

/** A producer (制证员) with a session. */
export function producerClient(t: TestApp, clock: StaffTestClock): Promise<TestClient> {
  return loggedInStaff(t, clock, ['producer']);
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
