/**
 * When the registry does not answer (after the adapter's own retries), 实名认证 says 稍后再试 and
 * nothing is half-saved: no draft appears, and the same request succeeds once the registry is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryFixtures } from '../../src/providers/registry/fixtures.ts';
import { RegistryUnavailable, type RegistryProvider } from '../../src/providers/registry/types.ts';
import { randomPhone, startTestApp, type TestApp } from '../support/app.ts';
import { TestClient, type ErrorBody } from '../support/http.ts';
import { waitForCode } from '../support/sms.ts';

let down = true;
const person = registryFixtures.persons[0]!;
const flaky: RegistryProvider = {
  async verifyPerson() {
    if (down) throw new RegistryUnavailable('SendRequest timed out', 'Timeout', 3);
    return { outcome: 'match' };
  },
  async verifyEnterprise() {
    throw new RegistryUnavailable('SendRequest timed out', 'Timeout', 3);
  },
};

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ registry: flaky });
});
afterAll(async () => {
  await t?.close();
});

describe('registry outage', () => {
  it('asks to try later, keeps nothing half-done, and works when the registry is back', async () => {
    const client = new TestClient(t.url);
    const phone = randomPhone();
    await client.post('/api/auth/sms-code', { phone });
    const login = await client.post<{ csrfToken: string }>('/api/auth/login', { phone, code: await waitForCode(t.url, phone) });
    client.csrfToken = login.body.csrfToken;

    const body = { applicantType: 'enterprise', operatorName: person.name, operatorIdNumber: person.idNumber, operatorPhone: person.phone };
    const res = await client.post<ErrorBody>('/api/applications/identity/operator', body);
    expect(res.status).toBe(503);
    expect(res.body.error.message).toBe('实名认证服务暂时无法连接，请稍后再试（已填写的信息不会丢失）');
    expect((await client.get<{ items: unknown[] }>('/api/applications')).body.items).toHaveLength(0);

    down = false;
    const again = await client.post<{ id: string }>('/api/applications/identity/operator', body);
    expect(again.status).toBe(200);
    const org = await client.post<ErrorBody>(`/api/applications/${again.body.id}/identity/organisation`, {
      orgName: '内蒙古草原云数据科技有限公司',
      uscc: registryFixtures.organisations[0]!.uscc,
      legalRepresentative: '巴特尔',
    });
    expect(org.status).toBe(503);
    const view = await client.get<{ step: string; organisation: unknown }>(`/api/applications/${again.body.id}`);
    expect(view.body.step).toBe('identity');
    expect(view.body.organisation).toBeNull();
  });
});
