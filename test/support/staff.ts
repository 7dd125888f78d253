/**
 * Staff accounts for integration and browser tests: an account made as the CLI makes it, and a
 * login that goes through whichever second step the server asks for, computing the TOTP code as an
 * authenticator app would from the secret in the enrolment QR code's otpauth URI.
 */
import { randomBytes } from 'node:crypto';
import { Secret, TOTP, URI } from 'otpauth';
import { expect } from 'vitest';
import type { StaffRole } from '../../src/domain/principal.ts';
import { createAccount } from '../../src/modules/staff/accounts.ts';
import type { TestApp } from './app.ts';
import { TestClient } from './http.ts';
import { openSession, sessionClient } from './sessions.ts';

export const STAFF_PASSWORD = 'Staff-pass-2026';

export interface StaffSessionBody {
  principal: { kind: string; id: string; username: string; displayName: string; roles: StaffRole[]; roleLabels: string[] };
  csrfToken: string;
}
export type PasswordStep = { next: 'enrol'; ticket: string; otpauthUrl: string; qrDataUrl: string } | { next: 'totp'; ticket: string };
export interface AccountBody {
  account: { id: string; username: string; roles: StaffRole[]; disabled: boolean; totpEnrolled: boolean; statusLabel: string };
}

/** The app's clock: movable in most tests, so that each login can use a fresh TOTP step. */
export interface StaffTestClock {
  now(): Date;
  advance?(seconds: number): void;
}

/** A username nobody else in this run uses (tests share one PostgreSQL in CI). */
export const randomUsername = () => `t${randomBytes(5).toString('hex')}`;

/** An account made as the CLI makes it: the authenticator is bound at the first login. */
export async function newStaffAccount(app: TestApp, roles: StaffRole[], now = new Date()) {
  const username = randomUsername();
  const account = await createAccount(
    app.certdesk.database.db,
    { kind: 'system', id: 'test' },
    { username, displayName: `测试${roles.join('')}`, password: STAFF_PASSWORD, roles },
    now,
  );
  return { username, id: account.id };
}

/** What an authenticator app shows for `secret` at `at`. */
export function totpCode(secret: string, at: Date): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: at.getTime() });
}

/** The secret an authenticator app reads from the enrolment QR code's otpauth URI. */
export function secretOf(otpauthUrl: string): string {
  const otp = URI.parse(otpauthUrl);
  if (!(otp instanceof TOTP)) throw new Error('not a TOTP URI');
  return otp.secret.base32;
}

export function passwordStep(client: TestClient, username: string, password = STAFF_PASSWORD) {
  return client.post<PasswordStep>('/api/staff/login', { username, password });
}

/**
 * Logs in through whichever second step the server asks for; returns the client (with its CSRF
 * token) and the authenticator's secret. A code is good once: a movable clock moves on one TOTP
 * step first; with a real clock, log the same account in at most once per 30 seconds.
 */
export async function staffLogIn(app: Pick<TestApp, 'url'>, clock: StaffTestClock, username: string, secret?: string) {
  clock.advance?.(30);
  const client = new TestClient(app.url);
  const first = await passwordStep(client, username);
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  const step = first.body;
  const known = step.next === 'enrol' ? secretOf(step.otpauthUrl) : secret;
  if (!known) throw new Error('enrolled account without a known secret');
  const path = step.next === 'enrol' ? '/api/staff/enrol' : '/api/staff/login/totp';
  const res = await client.post<StaffSessionBody>(path, { ticket: step.ticket, code: totpCode(known, clock.now()) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  client.csrfToken = res.body.csrfToken;
  return { client, secret: known, principal: res.body.principal };
}

/**
 * A new account with `roles` and a session opened directly, as the staff login would open it: for
 * tests where the staff member does a job and logging in is not what is tested (the password and
 * TOTP steps are tested in staff.test.ts, through staffLogIn).
 */
export async function staffSession(app: TestApp, roles: StaffRole[], now = app.clock()) {
  const account = await newStaffAccount(app, roles, now);
  return { ...account, client: sessionClient(app, await openSession(app, 'staff', account.id)) };
}

/**
 * A new account with `roles`, logged in: the client of a staff member who does one job in a test.
 * A movable clock moves on one TOTP step first, as with staffLogIn, so that the time a test's steps
 * take stays what it was when this logged in over HTTP.
 */
export async function loggedInStaff(app: TestApp, clock: StaffTestClock, roles: StaffRole[]): Promise<TestClient> {
  clock.advance?.(30);
  return (await staffSession(app, roles, clock.now())).client;
}
