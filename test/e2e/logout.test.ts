/** 退出 ends the session on the server: the portal's pages lead back to the login page. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../support/app.ts';
import { browserMissing, launchBrowser, newPage } from '../support/browser.ts';
import { logIn, startPortalApp } from './portal.ts';

describe.skipIf(browserMissing)('退出', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startPortalApp(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('returns to the login page, and the portal stays closed afterwards', async () => {
    const { context, page } = await newPage(browser, t.url);
    try {
      await logIn(page, t.url);
      await page.getByRole('button', { name: '退出', exact: true }).click();
      await page.waitForURL('**/login');
      await page.getByRole('button', { name: '免密码登录', exact: true }).waitFor();

      expect((await page.request.get('/api/auth/session')).status()).toBe(401);
      await page.goto('/applications');
      await page.waitForURL('**/login');
      await page.getByRole('button', { name: '免密码登录', exact: true }).waitFor();
      await page.goto('/');
      await page.waitForURL('**/login');
    } finally {
      await context.close();
    }
  });
});
