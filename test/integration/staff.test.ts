/**
 * 员工登录 and staff accounts over HTTP against a real app and database (PGlite, or PostgreSQL with
 * DATABASE_URL): password + TOTP, enrolment by the otpauth URI, replayed codes, delays after failures
 * (from many sources: staff-throttle.test.ts), who may
 * manage accounts, a disabled account's sessions, the audit trail. The CLI and the demo accounts:
 * staff-cli.test.ts.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, staffAccounts } from '../../src/db/schema.ts';
import type { StaffRole } from '../../src/domain/principal.ts';
import { verifyAuditChain } from '../../src/modules/audit/chain.ts';
import { DEMO_STAFF_PASSWORD } from '../../src/modules/staff/demo.ts';
import { movableClock, randomPhone, startTestApp, type TestApp } from '../support/app.ts';
import { TestClient, type ErrorBody } from '../support/http.ts';
import { waitForCode } from '../support/sms.ts';
import {
  STAFF_PASSWORD as PASSWORD,
  newStaffAccount,
  passwordStep,
  randomUsername,
  secretOf,
  staffLogIn,
  totpCode,
  type AccountBody,
  type StaffSessionBody,
} from '../support/staff.ts';

const clock = movableClock();
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock: clock.now });
});
afterAll(async () => {
  await t?.close();
});

const newAccount = (roles: StaffRole[]) => newStaffAccount(t, roles, clock.now());
const logIn = (username: string, secret?: string) => staffLogIn(t, clock, username, secret);
/** What the authenticator shows at the app's current time (or at `at`). */
const codeFor = (secret: string, at = clock.now()) => totpCode(secret, at);

async function auditActions(entityId: string): Promise<string[]> {
  const rows = await t.certdesk.database.db
    .select({ action: auditLog.action })
    .from(auditLog)
    .where(eq(auditLog.entityId, entityId))
    .orderBy(auditLog.id);
  return rows.map((r) => r.action);
}

describe('员工登录', () => {
  it('binds the authenticator from the otpauth URI at the first login, then asks for password + TOTP', async () => {
    const { username, id } = await newAccount(['reviewer']);
    const client = new TestClient(t.url);
    const first = await passwordStep(client, username);
    expect(first.status).toBe(200);
    if (first.body.next !== 'enrol') throw new Error('expected enrolment');
    expect(first.body.otpauthUrl).toMatch(new RegExp(`^otpauth://totp/CertDesk:${username}\\?`));
    expect(first.body.otpauthUrl).toContain('issuer=CertDesk');
    expect(first.body.qrDataUrl.startsWith('data:image/png;base64,')).toBe(true);
    const secret = secretOf(first.body.otpauthUrl);

    const wrong = await client.post<ErrorBody>('/api/staff/enrol', { ticket: first.body.ticket, code: codeFor(secret, new Date(0)) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe('动态验证码错误');
    // An enrolment ticket is no ticket for the TOTP step.
    const crossed = await client.post<ErrorBody>('/api/staff/login/totp', { ticket: first.body.ticket, code: codeFor(secret) });
    expect(crossed.status).toBe(401);

    const enrolled = await client.post<StaffSessionBody>('/api/staff/enrol', { ticket: first.body.ticket, code: codeFor(secret) });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(200);
    expect(enrolled.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    client.csrfToken = enrolled.body.csrfToken;
    const session = await client.get<StaffSessionBody>('/api/staff/session');
    expect(session.status).toBe(200);
    expect(session.body.principal).toMatchObject({ kind: 'staff', id, username, roles: ['reviewer'], roleLabels: ['审核员'] });
    expect(session.body.principal.displayName).toBe('测试reviewer');
    // Staff are no applicants.
    expect((await client.get('/api/auth/session')).status).toBe(401);

    // The ticket was used up.
    const again = await client.post<ErrorBody>('/api/staff/enrol', { ticket: first.body.ticket, code: codeFor(secret) });
    expect(again.status).toBe(401);
    expect(again.body.error.message).toBe('登录已超时，请重新输入用户名和密码');

    expect((await client.post('/api/staff/logout')).status).toBe(204);
    expect((await client.get('/api/staff/session')).status).toBe(401);

    // Enrolled now: the password step asks for a code and shows no QR code.
    clock.advance(30);
    const second = await passwordStep(new TestClient(t.url), username);
    expect(second.body).toEqual({ next: 'totp', ticket: expect.any(String) });
    const back = await logIn(username, secret);
    expect(back.principal.username).toBe(username);

    expect(await auditActions(id)).toEqual(['staff.create', 'staff.totp_enrol', 'staff.login', 'staff.logout', 'staff.login']);
  });

  it('rotates the session id at login, ending the session the browser brought', async () => {
    const { username } = await newAccount(['producer']);
    const { client, secret } = await logIn(username);
    const before = client.cookie;
    clock.advance(30);
    const step = await passwordStep(client, username);
    const res = await client.post<StaffSessionBody>('/api/staff/login/totp', { ticket: step.body.ticket, code: codeFor(secret) });
    expect(res.status).toBe(200);
    expect(client.cookie).not.toBe(before);
    const stale = new TestClient(t.url);
    stale.cookie = before;
    expect((await stale.get('/api/staff/session')).status).toBe(401);
  });

  it('refuses a wrong code, and a code that was already used', async () => {
    const { username } = await newAccount(['finance']);
    const { secret } = await logIn(username);

    clock.advance(30);
    const client = new TestClient(t.url);
    const step = await passwordStep(client, username);
    const wrong = await client.post<ErrorBody>('/api/staff/login/totp', { ticket: step.body.ticket, code: codeFor(secret, new Date(0)) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe('动态验证码错误');
    const used = codeFor(secret);
    // A mistyped code does not use up the ticket.
    expect((await client.post('/api/staff/login/totp', { ticket: step.body.ticket, code: used })).status).toBe(200);

    // Someone who saw the code, and knows the password, tries it within the same 30 seconds.
    const thief = new TestClient(t.url);
    const theirs = await passwordStep(thief, username);
    const replay = await thief.post<ErrorBody>('/api/staff/login/totp', { ticket: theirs.body.ticket, code: used });
    expect(replay.status).toBe(401);
    expect(replay.body.error.message).toBe('该动态验证码已使用，请等待下一个验证码');
    // The code of the step before, still inside the drift window, is older than the one used: refused too.
    const older = await thief.post<ErrorBody>('/api/staff/login/totp', {
      ticket: theirs.body.ticket,
      code: codeFor(secret, new Date(clock.now().getTime() - 30_000)),
    });
    expect(older.status).toBe(401);

    clock.advance(30);
    expect((await thief.post('/api/staff/login/totp', { ticket: theirs.body.ticket, code: codeFor(secret) })).status).toBe(200);
  });

  it('lets a login ticket live five minutes', async () => {
    const { username } = await newAccount(['reviewer']);
    const { secret } = await logIn(username);
    clock.advance(30);
    const client = new TestClient(t.url);
    const step = await passwordStep(client, username);
    clock.advance(5 * 60 + 1);
    const late = await client.post<ErrorBody>('/api/staff/login/totp', { ticket: step.body.ticket, code: codeFor(secret) });
    expect(late.status).toBe(401);
    expect(late.body.error.message).toBe('登录已超时，请重新输入用户名和密码');
    const forged = await client.post<ErrorBody>('/api/staff/login/totp', { ticket: `${step.body.ticket.slice(0, -4)}AAAA`, code: codeFor(secret) });
    expect(forged.status).toBe(401);
  });

  it('answers an unknown user like a wrong password, and slows guessing down instead of locking the account', async () => {
    const { username, id } = await newAccount(['reviewer']);
    const { secret } = await logIn(username);
    // Another browser at the same desk: the address is known, the browser is not.
    const client = new TestClient(t.url);

    const unknown = await passwordStep(client, randomUsername());
    expect(unknown.status).toBe(401);
    const refusal = (body: unknown) => ({ code: (body as ErrorBody).error.code, message: (body as ErrorBody).error.message });
    expect(refusal(unknown.body)).toEqual({ code: 'STAFF_CREDENTIALS', message: '用户名或密码错误' });

    for (let i = 1; i <= 6; i++) {
      const res = await passwordStep(client, username, `Wrong-pass-${i}`);
      expect(res.status, `failure ${i}`).toBe(401);
      expect(refusal(res.body)).toEqual(refusal(unknown.body));
    }
    // Past the five free tries every failure makes the next attempt wait, twice as long each time;
    // inside the wait even the right password is not checked.
    for (const wait of [1, 2, 4, 8, 16]) {
      const held = await passwordStep(client, username);
      expect(held.status).toBe(429);
      expect((held.body as unknown as ErrorBody).error.message).toBe(`登录失败次数过多，请 ${wait} 秒后再试`);
      expect(held.headers.get('retry-after')).toBe(String(wait));
      clock.advance(wait);
      expect((await passwordStep(client, username, 'Wrong-again-1')).status).toBe(401);
    }
    clock.advance(32);
    const after = await logIn(username, secret);
    expect(after.principal.username).toBe(username);
    expect(await auditActions(id)).not.toContain('staff.lock');
  });

  it('counts wrong second factors as well', async () => {
    const { username } = await newAccount(['reviewer']);
    const { secret } = await logIn(username);
    clock.advance(30);
    const client = new TestClient(t.url);
    const step = await passwordStep(client, username);
    for (let i = 1; i <= 6; i++) {
      expect((await client.post('/api/staff/login/totp', { ticket: step.body.ticket, code: '000000' })).status).toBe(401);
    }
    const held = await client.post<ErrorBody>('/api/staff/login/totp', { ticket: step.body.ticket, code: codeFor(secret) });
    expect(held.status).toBe(429);
    clock.advance(1);
    // The ticket outlives the delay: the right code after it logs in.
    expect((await client.post('/api/staff/login/totp', { ticket: step.body.ticket, code: codeFor(secret) })).status).toBe(200);
  });

  it('has no demo accounts outside demo mode', async () => {
    const client = new TestClient(t.url);
    const res = await client.post<ErrorBody>('/api/staff/login', { username: 'admin', password: DEMO_STAFF_PASSWORD });
    expect(res.status).not.toBe(200);
  });
});

describe('员工账户管理', () => {
  it('ends a disabled account\'s sessions at once, and lets it in again once enabled', async () => {
    const { username: adminName } = await newAccount(['admin']);
    const admin = await logIn(adminName);

    const username = randomUsername();
    const created = await admin.client.post<AccountBody>('/api/staff/accounts', {
      username,
      displayName: '王审核',
      password: PASSWORD,
      roles: ['reviewer'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.account).toMatchObject({ username, roles: ['reviewer'], totpEnrolled: false, statusLabel: '待绑定动态验证码' });
    const id = created.body.account.id;

    const staff = await logIn(username);
    expect((await staff.client.get('/api/staff/session')).status).toBe(200);
    const elsewhere = await logIn(username, staff.secret);

    const disabled = await admin.client.post<AccountBody>(`/api/staff/accounts/${id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.account).toMatchObject({ disabled: true, statusLabel: '已停用' });

    for (const c of [staff.client, elsewhere.client]) {
      const res = await c.get<ErrorBody>('/api/staff/session');
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe('请先登录');
    }
    clock.advance(30);
    const refused = await passwordStep(new TestClient(t.url), username);
    expect(refused.status).toBe(403);
    expect((refused.body as unknown as ErrorBody).error.message).toBe('账户已停用，请联系管理员');

    expect((await admin.client.post(`/api/staff/accounts/${id}/enable`)).status).toBe(200);
    const back = await logIn(username, staff.secret);
    expect(back.principal.roles).toEqual(['reviewer']);

    expect(await auditActions(id)).toEqual([
      'staff.create',
      'staff.totp_enrol',
      'staff.login',
      'staff.login',
      'staff.disable',
      'staff.enable',
      'staff.login',
    ]);
    const [record] = await t.certdesk.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, id), eq(auditLog.action, 'staff.disable')));
    expect(record).toMatchObject({ actorKind: 'staff', actorId: admin.principal.id });
  });

  it('changes roles for open sessions at once, and a reset second factor is bound again at the next login', async () => {
    const { username: adminName } = await newAccount(['admin']);
    const admin = await logIn(adminName);
    const { username, id } = await newAccount(['finance']);
    const staff = await logIn(username);

    const roles = await admin.client.request<AccountBody>('PUT', `/api/staff/accounts/${id}/roles`, { roles: ['reviewer', 'producer'] });
    expect(roles.status).toBe(200);
    const now = await staff.client.get<StaffSessionBody>('/api/staff/session');
    expect(now.body.principal.roles).toEqual(['reviewer', 'producer']);
    expect(now.body.principal.roleLabels).toEqual(['审核员', '制证员']);

    const reset = await admin.client.post<AccountBody>(`/api/staff/accounts/${id}/reset-totp`);
    expect(reset.status).toBe(200);
    expect(reset.body.account.totpEnrolled).toBe(false);
    expect((await staff.client.get('/api/staff/session')).status).toBe(401);
    clock.advance(30);
    const step = await passwordStep(new TestClient(t.url), username);
    expect(step.body.next).toBe('enrol');
    const again = await logIn(username);
    expect(again.secret).not.toBe(staff.secret);

    const list = await admin.client.get<{ accounts: AccountBody['account'][] }>('/api/staff/accounts');
    expect(list.status).toBe(200);
    expect(list.body.accounts.find((a) => a.id === id)).toMatchObject({ username, roles: ['reviewer', 'producer'], totpEnrolled: true });
    expect(JSON.stringify(list.body)).not.toMatch(/password|secret/i);

    expect(await auditActions(id)).toEqual(
      expect.arrayContaining(['staff.roles', 'staff.totp_reset', 'staff.totp_enrol']),
    );
  });

  it('checks what an administrator asks for', async () => {
    const { username: adminName } = await newAccount(['admin']);
    const admin = await logIn(adminName);
    const create = (body: Record<string, unknown>) => admin.client.post<ErrorBody>('/api/staff/accounts', body);
    const base = { username: randomUsername(), displayName: '李财务', password: PASSWORD, roles: ['finance'] };

    const weak = await create({ ...base, password: 'short1' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.message).toBe('密码至少10位，且须同时包含字母和数字');
    const noRole = await create({ ...base, roles: [] });
    expect(noRole.status).toBe(400);
    expect(noRole.body.error.message).toBe('请至少选择一个角色');
    expect((await create({ ...base, roles: ['boss'] })).status).toBe(400);
    expect((await create({ ...base, username: '1abc' })).body.error.message).toMatch(/^用户名须为3至32位/);
    expect((await create(base)).status).toBe(201);
    const taken = await create({ ...base, username: base.username.toUpperCase() });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toBe('用户名已存在');

    const self = await admin.client.post<ErrorBody>(`/api/staff/accounts/${admin.principal.id}/disable`);
    expect(self.status).toBe(400);
    expect(self.body.error.message).toBe('不能停用自己的账户');
    const missing = await admin.client.post<ErrorBody>('/api/staff/accounts/not-an-id/disable');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('员工账户不存在');
  });
});

describe('谁能管理员工账户', () => {
  const adminCalls = (id: string): Array<[string, string, unknown?]> => [
    ['GET', '/api/staff/accounts'],
    ['POST', '/api/staff/accounts', { username: randomUsername(), displayName: '某人', password: PASSWORD, roles: ['admin'] }],
    ['POST', `/api/staff/accounts/${id}/disable`, {}],
    ['POST', `/api/staff/accounts/${id}/enable`, {}],
    ['PUT', `/api/staff/accounts/${id}/roles`, { roles: ['admin'] }],
    ['POST', `/api/staff/accounts/${id}/reset-totp`, {}],
  ];

  it('refuses applicants (401) and staff without the admin role (403)', async () => {
    const { id: victim } = await newAccount(['reviewer']);

    const applicant = new TestClient(t.url);
    const phone = randomPhone();
    expect((await applicant.post('/api/auth/sms-code', { phone })).status).toBe(200);
    const code = await waitForCode(t.url, phone);
    const login = await applicant.post<{ csrfToken: string }>('/api/auth/login', { phone, code });
    expect(login.status).toBe(200);
    applicant.csrfToken = login.body.csrfToken;
    expect((await applicant.get('/api/staff/session')).status).toBe(401);

    const anonymous = new TestClient(t.url);
    for (const role of ['finance', 'reviewer', 'producer'] as const) {
      const { username } = await newAccount([role]);
      const staff = await logIn(username);
      expect((await staff.client.get('/api/staff/session')).status).toBe(200);
      for (const [method, path, body] of adminCalls(victim)) {
        const res = await staff.client.request<ErrorBody>(method, path, body);
        expect(res.status, `${role} ${method} ${path}`).toBe(403);
        expect(res.body.error.message).toBe('无权执行此操作');
      }
    }
    for (const [method, path, body] of adminCalls(victim)) {
      const res = await applicant.request<ErrorBody>(method, path, body);
      expect(res.status, `applicant ${method} ${path}`).toBe(401);
      expect((await anonymous.request(method, path, body)).status, `anonymous ${method} ${path}`).toBe(401);
    }
    const [victimNow] = await t.certdesk.database.db.select().from(staffAccounts).where(eq(staffAccounts.id, victim));
    expect(victimNow).toMatchObject({ disabledAt: null, roles: ['reviewer'], totpSecretSealed: null });
  });

  it('keeps the audit chain whole', async () => {
    const verdict = await verifyAuditChain(t.certdesk.database.db);
    expect(verdict.ok, JSON.stringify(verdict)).toBe(true);
  });
});
