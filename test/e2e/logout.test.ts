/** 退出 ends the session on the server: the portal's pages lead back to the login page. */
import { describe, expect, it } from 'vitest';
import { browserMissing, newPage } from '../support/browser.ts';
import { enterPortal, portalSuite } from './portal.ts';

describe.skipIf(browserMissing)('退出', () => {
  const suite = portalSuite();

  it('returns to the login page, and the portal stays closed afterwards', async () => {
    const { context, page } = await newPage(suite.browser, suite.app.url);
    try {
      await enterPortal(page, suite.app);
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
