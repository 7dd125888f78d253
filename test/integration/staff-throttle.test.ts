/**
 * Staff login must not be a lever to lock staff out. An outsider who fails on purpose — from one
 * address or from many (X-Forwarded-For through a trusted proxy) — only slows outsiders down:
 * guessing still stops (growing delays, in which not even the right password is checked), while the
 * 管理员 on a browser or at an address that has logged in before gets in at once with the right
 * password and code, and is told of the attack in the console.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema.ts';
import type { LoginAlertList, StaffAccount } from '../../src/http/contract.ts';
import { movableClock, startTestApp, type TestApp } from '../support/app.ts';
import { TestClient, type ErrorBody } from '../support/http.ts';
import { STAFF_PASSWORD, newStaffAccount, secretOf, staffSession, totpCode, type PasswordStep } from '../support/staff.ts';

const clock = movableClock();
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock: clock.now, config: { trustProxy: true } });
});
afterAll(async () => {
  await t?.close();
});

/** A browser at `address`, as the proxy reports it. */
const browserAt = (address: string) => new TestClient(t.url, { 'x-forwarded-for': address });
const status = async (client: TestClient, username: string, password: string) => (await client.post<PasswordStep>('/api/staff/login', { username, password })).status;

/** Password, then the code (binding the authenticator the first time); the answer's status. */
async function logIn(client: TestClient, username: string, secret: { value?: string }): Promise<number> {
  clock.advance(30);
  const first = await client.post<PasswordStep | ErrorBody>('/api/staff/login', { username, password: STAFF_PASSWORD });
  if (first.status !== 200) return first.status;
  const step = first.body as PasswordStep;
  if (step.next === 'enrol') secret.value = secretOf(step.otpauthUrl);
  const path = step.next === 'enrol' ? '/api/staff/enrol' : '/api/staff/login/totp';
  const res = await client.post<{ csrfToken: string }>(path, { ticket: step.ticket, code: totpCode(secret.value!, clock.now()) });
  // As the console does: the session's token goes with the next unsafe request (a login again).
  if (res.status === 200) client.csrfToken = res.body.csrfToken;
  return res.status;
}

async function actions(entityId: string): Promise<string[]> {
  const rows = await t.certdesk.database.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityId, entityId)).orderBy(auditLog.id);
  return rows.map((r) => r.action);
}

describe('员工登录 under attack', () => {
  it('stops guessing from one address: growing delays, and the right password refused inside them', async () => {
    const { username } = await newStaffAccount(t, ['admin'], clock.now());
    const attacker = browserAt('203.0.113.9');
    const waits: number[] = [];
    for (let i = 1; i <= 16; i++) {
      expect(await status(attacker, username, `Guess-number-${i}`)).toBe(401);
      const held = await attacker.post<ErrorBody>('/api/staff/login', { username, password: STAFF_PASSWORD });
      const wait = Number(held.headers.get('retry-after') ?? 0);
      if (i > 5) {
        expect(held.status, `after failure ${i}`).toBe(429);
        expect(held.body.error.code).toBe('STAFF_THROTTLED');
      }
      waits.push(wait);
      clock.advance(wait);
    }
    // Five free tries, then 1 s doubling to the 15-minute cap: about a hundred guesses a day.
    expect(waits).toEqual([0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]);
  });

  it('lets the real user in from a known browser or address while outsiders on many addresses are held back, and tells the 管理员', async () => {
    const victim = await newStaffAccount(t, ['admin'], clock.now());
    const secret: { value?: string } = {};
    // The 管理员's own desk: this browser and this address log in once.
    const desk = browserAt('198.51.100.10');
    expect(await logIn(desk, victim.username, secret)).toBe(200);

    // A botnet: 40 addresses, two guesses each, each waiting as long as it is told to.
    const waits: number[] = [];
    for (let n = 1; n <= 40; n++) {
      const bot = browserAt(`203.0.113.${100 + n}`);
      for (let k = 0; k < 2; k++) {
        for (;;) {
          const res = await bot.post<ErrorBody>('/api/staff/login', { username: victim.username, password: `Botnet-guess-${n}-${k}` });
          if (res.status === 401) break;
          expect(res.status).toBe(429);
          const wait = Number(res.headers.get('retry-after'));
          waits.push(wait);
          clock.advance(wait);
        }
      }
    }
    // Past 20 failures from unfamiliar sources, every unfamiliar source waits, whatever its address
    // and however few its own failures: the delays grow as from one address.
    expect(waits.slice(0, 10)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
    expect(waits.slice(10).every((w) => w === 900)).toBe(true);
    const stranger = await browserAt('192.0.2.50').post<ErrorBody>('/api/staff/login', { username: victim.username, password: STAFF_PASSWORD });
    expect(stranger.status).toBe(429);
    expect(stranger.body.error.message).toMatch(/^登录失败次数过多，请 \d+ (秒|分钟)后再试$/);
    // A forged device cookie is a stranger's.
    const forged = browserAt('192.0.2.78');
    forged.otherCookies.set('certdesk_staff_device', `certdesk_staff_device=${'A'.repeat(22)}.${'B'.repeat(43)}`);
    expect(await status(forged, victim.username, STAFF_PASSWORD)).toBe(429);
    // The account list says that strangers are held back (the staff member is not).
    const { client: admin } = await staffSession(t, ['admin']);
    const accounts = await admin.get<{ accounts: StaffAccount[] }>('/api/staff/accounts');
    expect(accounts.body.accounts.find((a) => a.id === victim.id)).toMatchObject({ locked: true, statusLabel: '陌生来源登录受限' });

    // The real user is not stopped (strangers wait 15 minutes now): the known browser — even from
    // a new address, or from the attackers' own network — and the known address in a new browser
    // get in at once.
    expect(await logIn(desk, victim.username, secret)).toBe(200);
    const laptopElsewhere = browserAt('192.0.2.77');
    for (const [name, value] of desk.otherCookies) laptopElsewhere.otherCookies.set(name, value);
    expect(await logIn(laptopElsewhere, victim.username, secret)).toBe(200);
    const behindTheBots = browserAt('203.0.113.101');
    for (const [name, value] of desk.otherCookies) behindTheBots.otherCookies.set(name, value);
    expect(await logIn(behindTheBots, victim.username, secret)).toBe(200);
    expect(await logIn(browserAt('198.51.100.10'), victim.username, secret)).toBe(200);

    // The 管理员 reads it in the console: a notice with the account and the count of addresses.
    const alerts = await admin.get<LoginAlertList>('/api/staff/login-alerts');
    expect(alerts.status).toBe(200);
    const notice = alerts.body.alerts.find((a) => a.accountId === victim.id);
    expect(notice).toMatchObject({ username: victim.username, failures: 80, addresses: 40 });
    expect((await actions(victim.id)).filter((a) => a === 'staff.login_attack')).toHaveLength(1);

    // 知悉 takes it off the list; the attack going on does not raise it again the same day.
    expect((await admin.post(`/api/staff/login-alerts/${victim.id}/acknowledge`)).status).toBe(204);
    expect((await admin.post(`/api/staff/login-alerts/${victim.id}/acknowledge`)).status).toBe(404);
    clock.advance(15 * 60);
    expect(await status(browserAt('203.0.113.250'), victim.username, 'Botnet-again')).toBe(401);
    expect((await admin.get<LoginAlertList>('/api/staff/login-alerts')).body.alerts.some((a) => a.accountId === victim.id)).toBe(false);
    expect(await actions(victim.id)).toContain('staff.login_alert_ack');

    // A day without failures and the strangers start afresh.
    clock.advance(24 * 60 * 60);
    expect(await logIn(browserAt('192.0.2.51'), victim.username, secret)).toBe(200);
  });

  it('lets no one but a 管理员 read the notices', async () => {
    const { client: reviewer } = await staffSession(t, ['reviewer']);
    expect((await reviewer.get('/api/staff/login-alerts')).status).toBe(403);
    expect((await new TestClient(t.url).get('/api/staff/login-alerts')).status).toBe(401);
  });
});
