/**
 * 系统管理 → 接入平台 in the browser: the 管理员 registers a relying platform, sees its API key's
 * secret once in a dialog, and that secret signs a request the platforms' API accepts. No webhook
 * address is given: CI's PostgreSQL is shared, and a platform left behind would be sent every
 * other suite's events.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authorizationHeader } from '../../src/domain/platform-signature.ts';
import { browserMissing, newPage, screenshot } from '../support/browser.ts';
import { newStaffAccount } from '../support/staff.ts';
import { enterConsole, portalSuite } from './portal.ts';

describe.skipIf(browserMissing)('员工控制台：接入平台', () => {
  const suite = portalSuite();

  it('an admin registers a platform and is shown its key once', async () => {
    const admin = await newStaffAccount(suite.app, ['admin']);
    const name = `公共资源交易平台${randomBytes(3).toString('hex')}`;
    const { context, page } = await newPage(suite.browser, suite.app.url);
    try {
      await enterConsole(page, suite.app, admin);
      await page.getByRole('menuitem', { name: '接入平台' }).click();
      await page.waitForURL('**/console/admin/platforms');

      await page.getByRole('button', { name: '登记平台' }).click();
      const dialog = page.getByRole('dialog', { name: '登记平台' });
      await dialog.getByRole('button', { name: '保存' }).click();
      await dialog.getByText('请输入平台名称').waitFor();
      await dialog.getByText('请至少选择一个项目').waitFor();
      await dialog.getByLabel('平台名称').fill(name);
      await dialog.getByLabel('联系人').fill('李工 0471-7654321');
      await dialog.getByLabel('接收地址（Webhook）').fill('ftp://example.com');
      await dialog.getByText('接收地址须以 http:// 或 https:// 开头').waitFor();
      await dialog.getByLabel('接收地址（Webhook）').fill('');
      await dialog.getByRole('checkbox', { name: '内蒙古自治区公共资源交易平台' }).check();
      await screenshot(page, 'admin-platforms-new.png');
      await dialog.getByRole('button', { name: '保存' }).click();

      // The key id and secret, once.
      const shown = page.getByRole('dialog', { name: 'API 密钥（只显示这一次）' });
      await shown.getByText('密钥不会保存在系统中，关闭后无法再次查看').waitFor();
      const secret = (await shown.getByTestId('platform-secret').innerText()).trim();
      const keyId = (await shown.locator('code').first().innerText()).trim();
      expect(secret).toMatch(/^cdsk_/);
      expect(keyId).toMatch(/^cdk_/);
      await screenshot(page, 'admin-platforms-secret.png');
      await shown.getByRole('button', { name: '我已保存' }).click();
      await shown.waitFor({ state: 'hidden' });

      const row = page.getByRole('row').filter({ hasText: name });
      await row.getByText(keyId).waitFor();
      await row.getByText('内蒙古自治区公共资源交易平台').waitFor();
      await expect(row.innerText()).resolves.not.toContain(secret);
      await screenshot(page, 'admin-platforms.png');

      // What was shown is the platform's real secret: a request signed with it passes the signature check.
      const parts = { method: 'GET', path: '/api/platform/v1/applications/CD20000101000000', query: '', body: '', timestamp: Math.floor(Date.now() / 1000), nonce: randomBytes(12).toString('base64url') };
      const res = await fetch(`${suite.app.url}${parts.path}`, { headers: { authorization: authorizationHeader(keyId, secret, parts) } });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    } catch (err) {
      await screenshot(page, 'failed-admin-platforms.png').catch(() => undefined);
      throw err;
    } finally {
      await context.close();
    }
  });
});
