/**
 * How CertDesk outgrows one machine: two app processes on one PostgreSQL share codes, sessions
 * and limits, because all of them live in the database; what each keeps in memory a few seconds
 * (sessions, the holder's lists) the other's writes end as their notices arrive. Needs a PostgreSQL server (DATABASE_URL);
 * PGlite is one process's embedded database and cannot be shared.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomPhone } from '../support/app.ts';
import { TestClient, type ErrorBody } from '../support/http.ts';
import { freePort, startServerProcess, type ServerProcess } from '../support/process.ts';
import { waitForCode } from '../support/sms.ts';
import { verifiedDraft } from '../support/applicant.ts';

const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl) console.warn('two-instances: skipped on PGlite — set DATABASE_URL to run it against PostgreSQL');

describe.skipIf(!databaseUrl)('two instances on one PostgreSQL', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  // The two share one installation (its CA key store): their own, not the checkout's ./data, whose
  // keys a database emptied since would not open.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'certdesk-two-instances-'));

  beforeAll(async () => {
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl ?? '',
      CERTDESK_MODE: 'development',
      LOG_LEVEL: 'warn',
      AUTH_CODE_RESEND_SECONDS: '0',
      AUTH_CODES_PER_IP_PER_HOUR: '100000',
    };
    const [pa, pb] = [await freePort(), await freePort()];
    [a, b] = await Promise.all([startServerProcess(env, pa), startServerProcess(env, pb)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('run on different ports', () => {
    expect(a.url).not.toBe(b.url);
  });

  it('accept on one a code requested through the other, and share the session', async () => {
    const phone = randomPhone();
    expect((await new TestClient(a.url).post('/api/auth/sms-code', { phone })).status).toBe(200);
    const code = await waitForCode(b.url, phone);
    const onB = new TestClient(b.url);
    const login = await onB.post<{ csrfToken: string }>('/api/auth/login', { phone, code });
    expect(login.status).toBe(200);

    const onA = new TestClient(a.url);
    onA.cookie = onB.cookie;
    onA.csrfToken = login.body.csrfToken;
    expect((await onA.get('/api/auth/session')).status).toBe(200);
    expect((await onA.post('/api/auth/logout')).status).toBe(204);
    expect((await onB.get('/api/auth/session')).status).toBe(401);
  });

  it('count the per-phone daily limit across both', async () => {
    const phone = randomPhone();
    for (let i = 0; i < 10; i++) {
      const via = i % 2 === 0 ? a : b;
      expect((await new TestClient(via.url).post('/api/auth/sms-code', { phone })).status, `code ${i + 1}`).toBe(200);
    }
    for (const via of [a, b]) {
      const res = await new TestClient(via.url).post<ErrorBody>('/api/auth/sms-code', { phone });
      expect(res.status).toBe(429);
      expect(res.body.error.message).toBe('该手机号今日获取验证码次数已达上限，请明天再试');
    }
  });

  it('count wrong tries at one code across both', async () => {
    const phone = randomPhone();
    expect((await new TestClient(a.url).post('/api/auth/sms-code', { phone })).status).toBe(200);
    const code = await waitForCode(a.url, phone);
    const wrong = code === '000000' ? '111111' : '000000';
    const messages: string[] = [];
    for (let i = 0; i < 5; i++) {
      const via = i % 2 === 0 ? a : b;
      messages.push((await new TestClient(via.url).post<ErrorBody>('/api/auth/login', { phone, code: wrong })).body.error.message);
    }
    expect(messages.at(-1)).toBe('验证码错误次数过多，已失效，请重新获取');
    expect((await new TestClient(b.url).post('/api/auth/login', { phone, code })).status).toBe(400);
  });

  it('show a holder on one what was changed through the other, and end there a session ended here, within moments', async () => {
    // Each keeps sessions and lists a few seconds; what the other writes reaches it as a notice.
    const phone = randomPhone();
    expect((await new TestClient(a.url).post('/api/auth/sms-code', { phone })).status).toBe(200);
    const onA = new TestClient(a.url);
    const login = await onA.post<{ csrfToken: string }>('/api/auth/login', { phone, code: await waitForCode(a.url, phone) });
    expect(login.status).toBe(200);
    onA.csrfToken = login.body.csrfToken;
    const onB = new TestClient(b.url);
    onB.cookie = onA.cookie;
    const listOnB = async () => (await onB.get<{ items: { id: string }[] }>('/api/applications')).body.items.map((i) => i.id);
    expect(await listOnB()).toEqual([]);

    const draft = await verifiedDraft(onA);
    await expect.poll(listOnB, { timeout: 2_000, interval: 50 }).toEqual([draft.id]);

    expect((await onA.post('/api/auth/logout')).status).toBe(204);
    await expect.poll(async () => (await onB.get('/api/applications')).status, { timeout: 2_000, interval: 50 }).toBe(401);
  });
});
