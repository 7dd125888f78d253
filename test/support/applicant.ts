/** An applicant's path over HTTP, step by step, for integration tests. */
import { expect } from 'vitest';
import { registryFixtures } from '../../src/providers/registry/fixtures.ts';
import { randomPhone, type TestApp } from './app.ts';
import { TestClient } from './http.ts';
import { jpegScan } from './images.ts';
import { openApplicantSession, sessionClient } from './sessions.ts';

export const company = registryFixtures.organisations[0]!;
export const person = registryFixtures.persons[0]!;
export const postDelivery = {
  method: 'post',
  courier: 'EMS',
  recipient: '张三',
  phone: '13800001111',
  province: '内蒙古自治区',
  city: '呼和浩特市',
  district: '赛罕区',
  address: '大学东街 1 号',
};
export const baseKinds = ['business_licence', 'org_seal', 'legal_rep_id_front', 'legal_rep_id_back'];

/**
 * A newly registered applicant, logged in: the session 注册/登录 would open, opened directly (the
 * SMS login itself is tested in auth.test.ts and the browser's login.test.ts).
 */
export async function loggedInApplicant(t: TestApp, phone = randomPhone()): Promise<TestClient> {
  const client = sessionClient(t, await openApplicantSession(t, phone));
  client.phone = phone;
  return client;
}

export async function verifiedDraft(
  client: TestClient,
  org = { orgName: company.name, uscc: company.uscc, legalRepresentative: company.legalRepresentative },
) {
  const op = await client.post<{ id: string; number: string }>('/api/applications/identity/operator', {
    applicantType: 'enterprise',
    operatorName: person.name,
    operatorIdNumber: person.idNumber,
    operatorPhone: person.phone,
  });
  expect(op.status, JSON.stringify(op.body)).toBe(200);
  const id = op.body.id;
  const orgRes = await client.post<{ outcome: string; message: string }>(`/api/applications/${id}/identity/organisation`, org);
  expect(orgRes.status, JSON.stringify(orgRes.body)).toBe(200);
  return { id, number: op.body.number, outcome: orgRes.body.outcome, message: orgRes.body.message };
}

export async function acceptContract(client: TestClient, id: string, kind: 'sign' | 'read') {
  const contract = await client.get<{ version: number; sha256: string; text: string }>(`/api/applications/${id}/contract`);
  expect(contract.status).toBe(200);
  const res = await client.post(`/api/applications/${id}/contract/accept`, { kind, version: contract.body.version, sha256: contract.body.sha256, agreed: true });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return contract.body;
}

export async function uploadAll(client: TestClient, id: string, kinds: string[], label = '') {
  for (const kind of kinds) {
    const res = await client.upload(`/api/applications/${id}/attachments/${kind}`, await jpegScan(`${kind}${label}`), `${kind}.jpg`, 'image/jpeg');
    expect(res.status, `${kind}: ${JSON.stringify(res.body)}`).toBe(200);
  }
}

/**
 * An enterprise application through every step to 待审核 over HTTP, as the portal sends them
 * (project 电子税务局: no extra scans). Tests that need an application at a status and are not
 * about the way there use the scenario builders (scenario.ts); scenario.test.ts shows both end equal.
 */
export async function submitOverHttp(client: TestClient, projectId = 'nmg-etax', delivery: object = postDelivery, termYears?: number) {
  const draft = await verifiedDraft(client);
  await acceptContract(client, draft.id, 'sign');
  await uploadAll(client, draft.id, baseKinds);
  expect((await client.post(`/api/applications/${draft.id}/attachments/complete`)).status).toBe(200);
  await acceptContract(client, draft.id, 'read');
  const form = await client.request('PUT', `/api/applications/${draft.id}/form`, {
    projectId,
    invoice: { wanted: false },
    delivery,
    ...(termYears === undefined ? {} : { termYears }),
  });
  expect(form.status, JSON.stringify(form.body)).toBe(200);
  const submitted = await client.post(`/api/applications/${draft.id}/submit`);
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
  return draft;
}
