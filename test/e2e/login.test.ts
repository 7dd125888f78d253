/**
 * 免密码登录 in a real browser against a real app: the manual's path into the platform, and what
 * the page says when the code is wrong.
 */
import { describe, expect, it } from 'vitest';
import { randomPhone } from '../support/app.ts';
import { browserMissing, newPage, screenshot } from '../support/browser.ts';
import { waitForCode } from '../support/sms.ts';
import { logIn, maskedPhone, openSmsLogin, portalSuite, requestCode, submitCode, wrongCode } from './portal.ts';

describe.skipIf(browserMissing)('免密码登录', () => {
  const suite = portalSuite();
  const app = () => suite.app;

  it('takes a new phone from the home page to 单位证书及电子印章申请', async () => {
    const { context, page } = await newPage(suite.browser, app().url);
    try {
      await page.goto('/');
      await page.waitForURL('**/login');
      await page.getByRole('heading', { name: '数字证书在线受理平台' }).waitFor();
      await screenshot(page, 'login-home.png');
      await page.getByRole('button', { name: '免密码登录', exact: true }).click();

      const phone = randomPhone();
      await page.getByPlaceholder('请输入手机号码').fill(phone);
      await page.getByRole('button', { name: '获取验证码', exact: true }).click();
      const countdown = page.getByRole('button', { name: /^\d+秒后重新获取$/ });
      await countdown.waitFor();
      expect(await countdown.isDisabled()).toBe(true);
      // 60 s from the server's answer; a loaded machine may draw it a few seconds late.
      expect(await countdown.textContent()).toMatch(/^(60|59|58|57|56|55)秒后重新获取$/);
      await page.getByText('验证码已发送').first().waitFor();

      const code = await waitForCode(app().url, phone);
      await page.getByPlaceholder('请输入验证码').fill(code);
      await page.getByRole('button', { name: '注册/登录', exact: true }).click();

      await page.waitForURL('**/applications');
      await page.getByRole('heading', { name: '单位证书及电子印章申请' }).waitFor();
      await page.getByRole('menuitem', { name: '数字证书申请' }).waitFor();
      await page.getByRole('menuitem', { name: '单位证书及电子印章申请' }).waitFor();
      await page.getByText(maskedPhone(phone)).waitFor();
      expect(await page.getByText(phone).count()).toBe(0);
      for (const column of ['申请单号', '单位名称', '所属项目', '金额', '状态', '操作']) {
        await page.getByRole('columnheader', { name: column }).waitFor();
      }
      await page.getByText('暂无申请').waitFor();
      await screenshot(page, 'portal-after-login.png');

      // A reload keeps the session: the cookie, not the page's memory, says who is logged in.
      await page.reload();
      await page.getByText(maskedPhone(phone)).waitFor();
      expect(new URL(page.url()).pathname).toBe('/applications');

      await page.getByRole('button', { name: '申请', exact: true }).click();
      await page.waitForURL('**/applications/new');
      await page.getByRole('button', { name: '实名认证', exact: true }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('counts down the attempts of a wrong code, then refuses even the right one', async () => {
    const { context, page } = await newPage(suite.browser, app().url);
    try {
      await openSmsLogin(page);
      const phone = randomPhone();
      const code = await requestCode(page, app().url, phone);
      const wrong = wrongCode(code);

      for (const remaining of [4, 3, 2, 1]) {
        await submitCode(page, wrong);
        await page.getByRole('alert').getByText(`验证码错误，还可尝试${remaining}次`).waitFor();
      }
      await submitCode(page, wrong);
      await page.getByRole('alert').getByText('验证码错误次数过多，已失效，请重新获取').waitFor();
      await screenshot(page, 'login-code-burned.png');

      await submitCode(page, code);
      await page.getByRole('alert').getByText('验证码错误或已失效，请重新获取').waitFor();
      expect(new URL(page.url()).pathname).toBe('/login');
    } finally {
      await context.close();
    }
  });

  it('checks the phone and the code in the page before asking the server', async () => {
    const { context, page } = await newPage(suite.browser, app().url);
    try {
      await openSmsLogin(page);
      await page.getByPlaceholder('请输入手机号码').fill('12345678901');
      await page.getByRole('button', { name: '获取验证码', exact: true }).click();
      await page.getByText('请输入正确的手机号码').waitFor();

      await page.getByPlaceholder('请输入手机号码').fill(randomPhone());
      await page.getByPlaceholder('请输入验证码').fill('12a4');
      await page.getByRole('button', { name: '注册/登录', exact: true }).click();
      await page.getByText('请输入6位数字验证码').waitFor();
      expect(new URL(page.url()).pathname).toBe('/login');
    } finally {
      await context.close();
    }
  });

  it('fits a 375 px phone screen', async () => {
    const { context, page } = await newPage(suite.browser, app().url, { width: 375, height: 812 });
    try {
      await openSmsLogin(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, 'login-mobile.png');

      const phone = randomPhone();
      const code = await requestCode(page, app().url, phone);
      await submitCode(page, code);
      await page.getByRole('heading', { name: '单位证书及电子印章申请' }).waitFor();
      await page.getByRole('button', { name: '申请', exact: true }).waitFor();
      await page.getByText(maskedPhone(phone)).waitFor();
      await screenshot(page, 'portal-mobile.png');

      // The side menu folds into a drawer on a phone.
      await page.getByRole('button', { name: '打开菜单' }).click();
      await page.getByRole('menuitem', { name: '单位证书及电子印章申请' }).waitFor();
      await screenshot(page, 'portal-mobile-menu.png');
    } finally {
      await context.close();
    }
  });
});
