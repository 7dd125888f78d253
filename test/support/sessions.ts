/**
 * Sessions opened directly, for tests that need someone logged in but are not about logging in:
 * the same row 注册/登录 or the staff login writes, opened through the auth service's own
 * openSession on the app's clock, with its cookie and CSRF token in a TestClient or a browser
 * context. The real SMS and TOTP logins stay in the tests about them (auth, staff, login, admin …).
 */
import type { BrowserContext } from 'playwright-core';
import type { PrincipalKind } from '../../src/domain/principal.ts';
import { SESSION_COOKIE } from '../../src/http/session.ts';
import * as authRepo from '../../src/modules/auth/repository.ts';
import type { TestApp } from './app.ts';
import { TestClient } from './http.ts';

export interface DirectSession {
  token: string;
  csrfToken: string;
}

const context = { ip: '127.0.0.1', userAgent: 'certdesk-test', previousToken: undefined };

/** A fresh session of a principal that exists. */
export async function openSession(t: TestApp, kind: PrincipalKind, principalId: string): Promise<DirectSession> {
  const now = t.clock();
  return t.certdesk.database.db.transaction((tx) => t.certdesk.auth.openSession(tx, kind, principalId, context, now));
}

/** The applicant of `phone` (registered now if new, as at a first login) with a fresh session. */
export async function openApplicantSession(t: TestApp, phone: string): Promise<DirectSession & { applicantId: string }> {
  const now = t.clock();
  return t.certdesk.database.db.transaction(async (tx) => {
    const applicant = await authRepo.upsertApplicant(tx, phone, now);
    const opened = await t.certdesk.auth.openSession(tx, 'applicant', applicant.id, context, now);
    return { ...opened, applicantId: applicant.id };
  });
}

/** A TestClient holding the session's cookie and CSRF token, as after a login over HTTP. */
export function sessionClient(t: TestApp, session: DirectSession): TestClient {
  const client = new TestClient(t.url);
  client.cookie = `${SESSION_COOKIE}=${session.token}`;
  client.csrfToken = session.csrfToken;
  return client;
}

/** Puts the session's cookie into a browser context: its pages open as the logged-in user. */
export async function addSessionCookie(browserContext: BrowserContext, t: TestApp, session: DirectSession): Promise<void> {
  await browserContext.addCookies([{ name: SESSION_COOKIE, value: session.token, url: t.url, httpOnly: true, sameSite: 'Lax' }]);
}
