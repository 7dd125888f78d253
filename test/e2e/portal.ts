/**
 * Steps of the applicant portal that several browser tests share, written as the manual words
 * them: 免密码登录, 手机号码, 获取验证码, 注册/登录.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { randomPhone, startTestApp, type TestApp } from '../support/app.ts';
import { loggedInApplicant } from '../support/applicant.ts';
import type { TestClient } from '../support/http.ts';
import { closeContexts, sharedBrowser } from '../support/browser.ts';
import { addSessionCookie, openApplicantSession, openSession } from '../support/sessions.ts';
import { waitForCode } from '../support/sms.ts';
import { STAFF_PASSWORD, secretOf, totpCode, type PasswordStep } from '../support/staff.ts';

/** The app behind the browser tests (testConfig already keeps the per-address limit out of the way). */
export const startPortalApp = startTestApp;

export interface PortalSuite {
  readonly app: TestApp;
  readonly browser: Browser;
}

/** For a describe block: its own app, started before its tests and closed after them, and the worker's browser. */
export function portalSuite(options?: Parameters<typeof startPortalApp>[0]): PortalSuite {
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [app, browser] = await Promise.all([startPortalApp(options), sharedBrowser()]);
  });
  afterAll(async () => {
    if (browser) await closeContexts(browser);
    await app?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('portalSuite is used before its beforeAll ran');
    return value;
  };
  return {
    get app() {
      return started(app);
    },
    get browser() {
      return started(browser);
    },
  };
}

export const maskedPhone = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(7)}`;

/** From wherever the browser stands, to the phone-and-code form. */
export async function openSmsLogin(page: Page): Promise<void> {
  await page.goto('/login');
  await page.getByRole('button', { name: '免密码登录', exact: true }).click();
  await page.getByPlaceholder('请输入手机号码').waitFor();
}

/** Types the phone, presses 获取验证码 and returns the code the simulator delivered. */
export async function requestCode(page: Page, baseUrl: string, phone: string, after?: string): Promise<string> {
  await page.getByPlaceholder('请输入手机号码').fill(phone);
  await page.getByRole('button', { name: '获取验证码', exact: true }).click();
  await page.getByText('验证码已发送').first().waitFor();
  return waitForCode(baseUrl, phone, { after });
}

export async function submitCode(page: Page, code: string): Promise<void> {
  await page.getByPlaceholder('请输入验证码').fill(code);
  await page.getByRole('button', { name: '注册/登录', exact: true }).click();
}

/** A full 免密码登录; resolves once the portal shows the applications page. */
export async function logIn(page: Page, baseUrl: string, phone = randomPhone()): Promise<string> {
  await openSmsLogin(page);
  const code = await requestCode(page, baseUrl, phone);
  await submitCode(page, code);
  await page.waitForURL('**/applications');
  await page.getByRole('heading', { name: '单位证书及电子印章申请' }).waitFor();
  return phone;
}

/**
 * The portal as a logged-in applicant, for tests about what comes after 免密码登录 (login.test.ts
 * walks the login itself): the session the login would open, its cookie in the page's context;
 * resolves once the portal shows the applications page.
 */
export async function enterPortal(page: Page, app: TestApp, phone = randomPhone()): Promise<string> {
  await addSessionCookie(page.context(), app, await openApplicantSession(app, phone));
  await page.goto('/applications');
  await page.getByRole('heading', { name: '单位证书及电子印章申请' }).waitFor();
  return phone;
}

/** A 6-digit code certain to differ from `code`. */
export function wrongCode(code: string): string {
  return ((Number(code) + 1) % 1_000_000).toString().padStart(6, '0');
}

/**
 * The applicant the browser logged in as, over HTTP too: a second session of that phone, opened
 * directly, once the movable clock has passed the resend cooldown a second SMS login would need.
 */
export async function apiSession(app: TestApp, clock: { advance(seconds: number): void }, phone: string): Promise<TestClient> {
  clock.advance(61);
  return loggedInApplicant(app, phone);
}

/**
 * The staff console as `account`, for tests about a staff member's work (console-review.test.ts and
 * admin.test.ts walk the console login): a session opened directly, its cookie in the context; the
 * console then opens the account's first page, as after 登录.
 */
export async function enterConsole(page: Page, app: TestApp, account: { id: string }): Promise<void> {
  await addSessionCookie(page.context(), app, await openSession(app, 'staff', account.id));
  await page.goto('/console');
}

/** 员工登录 for an account's first time: password, then binding the authenticator from the QR code's URI. */
export async function consoleFirstLogIn(page: Page, username: string, now: () => Date = () => new Date()): Promise<void> {
  await page.goto('/console/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(STAFF_PASSWORD);
  const loginResponse = page.waitForResponse((r) => r.url().endsWith('/api/staff/login') && r.request().method() === 'POST');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  const step = (await (await loginResponse).json()) as PasswordStep;
  if (step.next !== 'enrol') throw new Error('expected enrolment');
  await page.getByRole('img', { name: '身份验证器绑定二维码' }).waitFor();
  await page.getByLabel('动态验证码').fill(totpCode(secretOf(step.otpauthUrl), now()));
  await page.getByRole('button', { name: '绑定并登录', exact: true }).click();
}
