/**
 * /metrics as a Prometheus scraper reads it: requests by route pattern (not the raw URL) and
 * status, the outside parties' calls by outcome, certificates issued and revoked, OCSP answers by
 * status, the job queue and the database — each app instance with its own registry. And who may
 * read it: this machine without a token, anyone with METRICS_TOKEN, nobody else.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomPhone, movableClock, startTestApp, type TestApp } from '../support/app.ts';
import { loggedInApplicant } from '../support/applicant.ts';
import { certifiedUnit } from '../support/certified.ts';
import { TestClient, type ErrorBody } from '../support/http.ts';
import { askOcsp } from '../support/ocsp.ts';
import { approvedApplication } from '../support/scenario.ts';
import { waitForCode } from '../support/sms.ts';

/** The value of the sample `name` whose labels include `labels`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(t: TestApp): Promise<string> {
  const res = await fetch(`${t.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

const clock = movableClock();
let t: TestApp;
let other: TestApp;
beforeAll(async () => {
  [t, other] = await Promise.all([startTestApp({ clock: clock.now }), startTestApp()]);
});
afterAll(async () => {
  await Promise.all([t?.close(), other?.close()]);
});

describe('/metrics', () => {
  it('counts requests by route pattern and status, each instance its own', async () => {
    const id = randomUUID();
    const anonymous = new TestClient(t.url);
    expect((await anonymous.get(`/api/applications/${id}`)).status).toBe(401);
    expect((await anonymous.get(`/api/applications/${randomUUID()}`)).status).toBe(401);
    expect((await anonymous.get('/api/no-such-route')).status).toBe(404);
    const text = await scrape(t);
    const byPattern = { method: 'GET', route: '/api/applications/:id', status_code: '401' };
    expect(sample(text, 'certdesk_http_request_duration_seconds_count', byPattern)).toBe(2);
    expect(sample(text, 'certdesk_http_request_duration_seconds_bucket', { ...byPattern, le: '+Inf' })).toBe(2);
    expect(text).not.toContain(id);
    expect(sample(text, 'certdesk_http_request_duration_seconds_count', { route: '(unmatched)', status_code: '404' })).toBeGreaterThanOrEqual(1);
    // The other app in this process saw none of it.
    expect(sample(await scrape(other), 'certdesk_http_request_duration_seconds_count', byPattern)).toBeUndefined();
    // Node's own figures come along. (The CPU counter is what this registry saw since it was made,
    // in the kernel's ticks: it can still read 0 right after the start, so its presence is checked.)
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'nodejs_heap_size_total_bytes')).toBeGreaterThan(0);
  });

  it('counts SMS, registry and WeChat Pay calls by outcome, and shows the job queues', async () => {
    const phone = randomPhone();
    expect((await new TestClient(t.url).post('/api/auth/sms-code', { phone })).status).toBe(200);
    await waitForCode(t.url, phone);
    const applicant = await loggedInApplicant(t);
    const { id } = await approvedApplication(t, clock, applicant);
    const order = await applicant.post(`/api/applications/${id}/payment/wechat`);
    expect(order.status, JSON.stringify(order.body)).toBe(200);

    // The worker marks the jobs it handled completed at its next turn (one query for all): ask until it has.
    let text = await scrape(t);
    for (let i = 0; i < 50 && !(Number(sample(text, 'certdesk_jobs', { queue: 'sms-login-code', state: 'completed' })) >= 1); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      text = await scrape(t);
    }
    expect(sample(text, 'certdesk_provider_calls_total', { party: 'sms', operation: 'send', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'certdesk_provider_calls_total', { party: 'registry', operation: 'verifyPerson', outcome: 'match' })).toBe(1);
    expect(sample(text, 'certdesk_provider_calls_total', { party: 'registry', operation: 'verifyEnterprise', outcome: 'match' })).toBe(1);
    expect(sample(text, 'certdesk_provider_calls_total', { party: 'wechatpay', operation: 'createNativeOrder', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'certdesk_provider_call_duration_seconds_count', { party: 'wechatpay', operation: 'createNativeOrder' })).toBe(1);
    // The queue the code went through: delivered (completed), nothing waiting for it any more.
    expect(sample(text, 'certdesk_jobs', { queue: 'sms-login-code', state: 'completed' })).toBeGreaterThanOrEqual(1);
    // Every state of every queue has its series, zero or not.
    expect(sample(text, 'certdesk_jobs', { queue: 'sms-login-code', state: 'failed' })).toBeTypeOf('number');
    expect(sample(text, 'certdesk_job_queue_depth', { queue: 'sms-send' })).toBeTypeOf('number');
    // The database: PGlite's one connection, or the pool of PostgreSQL's.
    const max = sample(text, 'certdesk_db_pool_max')!;
    expect(max).toBe(t.certdesk.database.kind === 'pglite' ? 1 : 10);
    expect(sample(text, 'certdesk_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'certdesk_db_size_bytes')).toBeGreaterThan(0);
  });

  it('counts certificates issued and revoked, and OCSP answers by status', async () => {
    const unit = await certifiedUnit(t, { family: 'p256' });
    const issuer = t.certdesk.ca.cas.issuing.p256.certificate;
    expect(await askOcsp(t.url, issuer, unit.serial)).toBe('good');
    expect(await askOcsp(t.url, issuer, unit.serial)).toBe('good'); // from the responder's cache
    await t.certdesk.ca.ca.revoke({ kind: 'system', id: 'test' }, unit.serial, 'keyCompromise');
    expect(await askOcsp(t.url, issuer, unit.serial)).toBe('revoked');
    expect(await askOcsp(t.url, issuer, 'abcdef0123456789')).toBe('unknown');
    expect((await fetch(`${t.url}/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: 'not der' })).status).toBe(200);

    const text = await scrape(t);
    expect(sample(text, 'certdesk_certificates_issued_total', { family: 'p256', profile: 'unitSigning' })).toBe(1);
    expect(sample(text, 'certdesk_certificates_revoked_total', { profile: 'unitSigning', reason: 'keyCompromise' })).toBe(1);
    expect(sample(text, 'certdesk_ocsp_responses_total', { status: 'good' })).toBe(2);
    expect(sample(text, 'certdesk_ocsp_responses_total', { status: 'revoked' })).toBe(1);
    expect(sample(text, 'certdesk_ocsp_responses_total', { status: 'unknown' })).toBe(1);
    expect(sample(text, 'certdesk_ocsp_responses_total', { status: 'malformedRequest' })).toBe(1);
  });

  it('tells /readyz that the CA keys sign', async () => {
    const ready = await new TestClient(t.url).get<{ checks: Record<string, string> }>('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: 'ok', jobs: 'ok', keys: 'ok' });
  });
});

describe('who may read /metrics', () => {
  const token = 'metrics-token-for-the-test-0123456789';
  let guarded: TestApp;
  let proxied: TestApp;
  beforeAll(async () => {
    [guarded, proxied] = await Promise.all([startTestApp({ config: { metricsToken: token } }), startTestApp({ config: { trustProxy: true } })]);
  });
  afterAll(async () => {
    await Promise.all([guarded?.close(), proxied?.close()]);
  });

  it('with METRICS_TOKEN: only the bearer of it, even from this machine', async () => {
    const none = await new TestClient(guarded.url).get<ErrorBody>('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(none.body.error.message).toContain('METRICS_TOKEN');
    expect((await new TestClient(guarded.url, { authorization: `Bearer ${token}x` }).get('/metrics')).status).toBe(401);
    const ok = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('certdesk_http_request_duration_seconds');
  });

  it('without it: this machine only, also when a trusted proxy forwards an outsider', async () => {
    const outsider = await new TestClient(proxied.url, { 'x-forwarded-for': '203.0.113.7' }).get<ErrorBody>('/metrics');
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.message).toBe('指标接口仅对本机开放；从其他机器采集请设置 METRICS_TOKEN');
    expect((await new TestClient(proxied.url, { 'x-forwarded-for': '127.0.0.1' }).get('/metrics')).status).toBe(200);
  });
});
