/**
 * 免密码登录 over HTTP against a real app and database (PGlite, or PostgreSQL with DATABASE_URL):
 * codes, their limits, sessions, CSRF, and what is stored and logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { movableClock, randomPhone, startTestApp, testConfig, type TestApp } from '../support/app.ts';
import { TestClient, type ErrorBody } from '../support/http.ts';
import { waitForCode } from '../support/sms.ts';
import { SMS_LOGIN_CODE_QUEUE } from '../../src/modules/notifications/sms.ts';
import { sql } from 'drizzle-orm';
import { advisoryXactLock } from '../../src/db/advisory-lock.ts';
import { selectRows, type Tx } from '../../src/db/database.ts';

const clock = movableClock();
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock: clock.now });
});
afterAll(async () => {
  await t?.close();
});

async function sendCode(client: TestClient, phone: string, previous?: string) {
  const res = await client.post<{ cooldownSeconds: number }>('/api/auth/sms-code', { phone });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return waitForCode(t.url, phone, { after: previous });
}

async function loggedIn(phone = randomPhone()) {
  const client = new TestClient(t.url);
  const code = await sendCode(client, phone);
  const res = await client.post<{ csrfToken: string }>('/api/auth/login', { phone, code });
  expect(res.status).toBe(200);
  client.csrfToken = res.body.csrfToken;
  return { client, phone, code };
}

describe('获取验证码', () => {
  it('refuses a number that is not a mainland mobile', async () => {
    const client = new TestClient(t.url);
    for (const phone of ['12345678901', '1381234567', 'abc', '']) {
      const res = await client.post<ErrorBody>('/api/auth/sms-code', { phone });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('请输入正确的手机号码');
    }
  });

  it('answers the same for a registered and an unknown phone', async () => {
    const { phone: registered } = await loggedIn();
    clock.advance(61);
    const a = await new TestClient(t.url).post('/api/auth/sms-code', { phone: registered });
    const b = await new TestClient(t.url).post('/api/auth/sms-code', { phone: randomPhone() });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body).toEqual(b.body);
  });

  it('makes the phone wait 60 s between codes, and a new code replaces the old', async () => {
    const client = new TestClient(t.url);
    const phone = randomPhone();
    const first = await sendCode(client, phone);
    clock.advance(20);
    const early = await client.post<ErrorBody>('/api/auth/sms-code', { phone });
    expect(early.status).toBe(429);
    expect(early.body.error.message).toBe('验证码已发送，请40秒后再获取');
    expect(early.headers.get('retry-after')).toBe('40');
    clock.advance(40);
    const second = await sendCode(client, phone, first);
    expect(second).not.toBe(first);
    const old = await client.post<ErrorBody>('/api/auth/login', { phone, code: first });
    expect(old.status).toBe(400);
    const ok = await client.post('/api/auth/login', { phone, code: second });
    expect(ok.status).toBe(200);
  });

  it('sends at most ten codes to a phone in a Beijing day', async () => {
    const phone = randomPhone();
    // Ten codes take ten minutes of the clock, which starts at the machine's time: begin them well
    // inside one Beijing day, not in the hour before its midnight (which would start a new count).
    const beijingSecondOfDay = (clock.now().getTime() / 1000 + 8 * 3600) % 86_400;
    if (beijingSecondOfDay > 86_400 - 3600) clock.advance(86_400 - beijingSecondOfDay + 60);
    for (let i = 0; i < 10; i++) {
      const res = await new TestClient(t.url, { 'x-test': String(i) }).post('/api/auth/sms-code', { phone });
      expect(res.status, `code ${i + 1}`).toBe(200);
      clock.advance(61);
    }
    const eleventh = await new TestClient(t.url).post<ErrorBody>('/api/auth/sms-code', { phone });
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.error.message).toBe('该手机号今日获取验证码次数已达上限，请明天再试');
    clock.advance(24 * 3600);
    expect((await new TestClient(t.url).post('/api/auth/sms-code', { phone })).status).toBe(200);
  });
});

describe('the per-phone lock (advisoryXactLock)', () => {
  it('is held until commit on PostgreSQL, another connection’s transaction waiting for it; not taken on PGlite, whose transactions never interleave', async () => {
    const { db, kind } = t.certdesk.database;
    const key = `login:${randomPhone()}`;
    const held = (tx: Tx) =>
      selectRows<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`);
    if (kind === 'pglite') {
      await db.transaction(async (tx) => {
        await advisoryXactLock(tx, key);
        expect(await held(tx)).toEqual([{ n: 0 }]);
      });
      return;
    }
    const order: string[] = [];
    let releaseFirst!: () => void;
    let firstHolds!: () => void;
    const holding = new Promise<void>((r) => (firstHolds = r));
    const first = db.transaction(async (tx) => {
      await advisoryXactLock(tx, key);
      expect(await held(tx)).toEqual([{ n: 1 }]);
      firstHolds();
      await new Promise<void>((r) => (releaseFirst = r));
      order.push('first commits');
    });
    await holding;
    const second = db.transaction(async (tx) => {
      await advisoryXactLock(tx, key);
      order.push('second holds');
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(order).toEqual([]);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first commits', 'second holds']);
  });
});

describe('注册/登录', () => {
  it('registers a new phone, sets a safe cookie and opens a session', async () => {
    const client = new TestClient(t.url);
    const phone = randomPhone();
    const code = await sendCode(client, phone);
    const res = await client.post<{ principal: { phoneMasked: string }; csrfToken: string }>('/api/auth/login', {
      phone,
      code,
    });
    expect(res.status).toBe(200);
    expect(res.body.principal.phoneMasked).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    const session = await client.get<{ principal: { kind: string } }>('/api/auth/session');
    expect(session.status).toBe(200);
    expect(session.body.principal.kind).toBe('applicant');
  });

  it('does not believe a forwarded protocol unless told to trust the proxy', async () => {
    const client = new TestClient(t.url);
    const phone = randomPhone();
    const code = await sendCode(client, phone);
    const res = await client.post('/api/auth/login', { phone, code }, { 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).not.toMatch(/Secure/i);
  });

  it('accepts a code once only', async () => {
    const client = new TestClient(t.url);
    const phone = randomPhone();
    const code = await sendCode(client, phone);
    expect((await client.post('/api/auth/login', { phone, code })).status).toBe(200);
    const again = await new TestClient(t.url).post<ErrorBody>('/api/auth/login', { phone, code });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toBe('验证码错误或已失效，请重新获取');
  });

  it('burns a code after five wrong tries', async () => {
    const client = new TestClient(t.url);
    const phone = randomPhone();
    const code = await sendCode(client, phone);
    const wrong = code === '000000' ? '111111' : '000000';
    const messages: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await client.post<ErrorBody>('/api/auth/login', { phone, code: wrong });
      expect(res.status).toBe(400);
      messages.push(res.body.error.message);
    }
    expect(messages).toEqual([
      '验证码错误，还可尝试4次',
      '验证码错误，还可尝试3次',
      '验证码错误，还可尝试2次',
      '验证码错误，还可尝试1次',
      '验证码错误次数过多，已失效，请重新获取',
    ]);
    const right = await client.post<ErrorBody>('/api/auth/login', { phone, code });
    expect(right.status).toBe(400);
    expect(right.body.error.message).toBe('验证码错误或已失效，请重新获取');
  });

  it('lets a code expire after five minutes', async () => {
    const client = new TestClient(t.url);
    const phone = randomPhone();
    const code = await sendCode(client, phone);
    clock.advance(5 * 60);
    const res = await client.post<ErrorBody>('/api/auth/login', { phone, code });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('验证码错误或已失效，请重新获取');
  });

  it('explains a malformed code', async () => {
    const res = await new TestClient(t.url).post<ErrorBody>('/api/auth/login', { phone: randomPhone(), code: '12ab' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('请输入6位数字验证码');
  });

  it('stores codes only as keyed hashes and queues no readable code', async () => {
    const client = new TestClient(t.url);
    const phone = randomPhone();
    const code = await sendCode(client, phone);
    const { executeSql } = t.certdesk.database;
    const codes = await executeSql('SELECT * FROM login_codes WHERE phone = $1', [phone]);
    const rowsText = JSON.stringify(codes.rows);
    expect(rowsText).not.toContain(`"${code}"`);
    expect(rowsText).toMatch(/[0-9a-f]{64}/);
    const jobs = await executeSql(`SELECT data FROM pgboss.job WHERE name = $1 ORDER BY created_on DESC LIMIT 5`, [
      SMS_LOGIN_CODE_QUEUE,
    ]);
    expect(jobs.rows.length).toBeGreaterThan(0);
    for (const row of jobs.rows as { data: Record<string, unknown> }[]) {
      // Only an AES-GCM envelope: no field named code or phone, no readable number.
      expect(Object.keys(row.data)).toEqual(['sealed']);
      expect(String(row.data['sealed'])).not.toContain(phone);
    }
  });
});

describe('sessions', () => {
  it('end after 30 idle minutes', async () => {
    const { client } = await loggedIn();
    clock.advance(29 * 60);
    expect((await client.get('/api/auth/session')).status).toBe(200);
    clock.advance(29 * 60);
    expect((await client.get('/api/auth/session')).status).toBe(200);
    clock.advance(30 * 60);
    const res = await client.get<ErrorBody>('/api/auth/session');
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('请先登录');
  });

  it('end 12 hours after login however active', async () => {
    const { client } = await loggedIn();
    for (let i = 0; i < 25; i++) {
      clock.advance(29 * 60);
      if ((await client.get('/api/auth/session')).status !== 200) break;
    }
    // 25 × 29 min = 12 h 5 min: the absolute limit was passed on the way.
    expect((await client.get('/api/auth/session')).status).toBe(401);
  });

  it('get a new id at login: the token the browser brought stops working', async () => {
    const { client, phone, code: first } = await loggedIn();
    const before = client.cookie;
    clock.advance(61);
    const code = await sendCode(client, phone, first);
    expect((await client.post('/api/auth/login', { phone, code })).status).toBe(200);
    expect(client.cookie).not.toBe(before);
    const stale = new TestClient(t.url);
    stale.cookie = before;
    expect((await stale.get('/api/auth/session')).status).toBe(401);
  });

  it('are destroyed by 退出', async () => {
    const { client } = await loggedIn();
    const token = client.cookie;
    expect((await client.post('/api/auth/logout')).status).toBe(204);
    const replay = new TestClient(t.url);
    replay.cookie = token;
    expect((await replay.get('/api/auth/session')).status).toBe(401);
  });
});

describe('CSRF', () => {
  it('refuses a state change without the session token', async () => {
    const { client } = await loggedIn();
    const res = await client.post<ErrorBody>('/api/auth/logout', {}, { 'x-csrf-token': 'forged' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('页面已过期，请刷新后重试');
    expect((await client.get('/api/auth/session')).status).toBe(200);
  });

  it('refuses a request from another site even before login', async () => {
    const res = await new TestClient(t.url).post<ErrorBody>(
      '/api/auth/sms-code',
      { phone: randomPhone() },
      { origin: 'https://evil.example' },
    );
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('请求来源不受信任');
  });
});

describe('platform', () => {
  it('reports health with the database reachable', async () => {
    const res = await new TestClient(t.url).get<{ status: string }>('/healthz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('serves the OpenAPI description of the API', async () => {
    const res = await new TestClient(t.url).get<{ paths: Record<string, unknown> }>('/docs/json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/auth/sms-code', '/api/auth/login', '/api/auth/logout']),
    );
  });

  it('answers unknown API paths in Chinese', async () => {
    const res = await new TestClient(t.url).get<ErrorBody>('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('请求的内容不存在');
  });
});
