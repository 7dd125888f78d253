/**
 * Steps of the applicant portal that several browser tests share, written as the manual words
 * them: 免密码登录, 手机号码, 获取验证码, 注册/登录.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { randomPhone, startTestApp, type TestApp } from '../support/app.ts';
import { TestClient } from '../support/http.ts';
import { launchBrowser } from '../support/browser.ts';
import { codesInOutbox, waitForCode } from '../support/sms.ts';
import { STAFF_PASSWORD, secretOf, totpCode, type PasswordStep } from '../support/staff.ts';

/** The app behind the browser tests (testConfig already keeps the per-address limit out of the way). */
export const startPortalApp = startTestApp;

export interface PortalSuite {
  readonly app: TestApp;
  readonly browser: Browser;
}

/** For a describe block: its own app and browser, started before its tests and closed after them. */
export function portalSuite(options?: Parameters<typeof startPortalApp>[0]): PortalSuite {
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [app, browser] = await Promise.all([startPortalApp(options), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
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

/** A 6-digit code certain to differ from `code`. */
export function wrongCode(code: string): string {
  return ((Number(code) + 1) % 1_000_000).toString().padStart(6, '0');
}

/**
 * The applicant the browser logged in as, over HTTP too: a second login of that phone, once the
 * movable clock has passed the resend cooldown.
 */
export async function apiSession(app: TestApp, clock: { advance(seconds: number): void }, phone: string): Promise<TestClient> {
  const outbox = await (await fetch(new URL('/dev/sms', app.url))).text();
  const previous = codesInOutbox(outbox, phone)[0];
  clock.advance(61);
  const client = new TestClient(app.url);
  expect((await client.post('/api/auth/sms-code', { phone })).status).toBe(200);
  const code = await waitForCode(app.url, phone, { after: previous });
  const res = await client.post<{ csrfToken: string }>('/api/auth/login', { phone, code });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  client.csrfToken = res.body.csrfToken;
  client.phone = phone;
  return client;
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
