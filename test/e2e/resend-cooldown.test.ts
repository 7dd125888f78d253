/**
 * 获取验证码 cannot be pressed again until the cooldown ends: the page counts down, and when the
 * page forgets (a reload) the server's refusal tells it how long is left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { movableClock, randomPhone, type TestApp } from '../support/app.ts';
import { browserMissing, closeContexts, newPage, sharedBrowser } from '../support/browser.ts';
import { codesInOutbox, waitForCode } from '../support/sms.ts';
import { openSmsLogin, startPortalApp } from './portal.ts';

describe.skipIf(browserMissing)('获取验证码 cooldown', () => {
  const clock = movableClock();
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startPortalApp({ clock: clock.now }), sharedBrowser()]);
  });
  afterAll(async () => {
    if (browser) await closeContexts(browser);
    await t?.close();
  });

  const outboxCodes = async (phone: string) => codesInOutbox(await (await fetch(`${t.url}/dev/sms`)).text(), phone);

  it('disables the button while it counts down, and the server agrees', async () => {
    const { context, page } = await newPage(browser, t.url);
    try {
      await openSmsLogin(page);
      const phone = randomPhone();
      await page.getByPlaceholder('请输入手机号码').fill(phone);
      await page.getByRole('button', { name: '获取验证码', exact: true }).click();
      const first = await waitForCode(t.url, phone);

      const countdown = page.getByRole('button', { name: /^\d+秒后重新获取$/ });
      await countdown.waitFor();
      expect(await countdown.isDisabled()).toBe(true);
      const secondsLeft = async () => Number((await countdown.textContent())?.match(/^\d+/)?.[0]);
      const before = await secondsLeft();
      await page.waitForTimeout(1500);
      expect(await secondsLeft()).toBeLessThan(before);
      await countdown.click({ force: true });
      await page.waitForTimeout(1500);
      expect(await outboxCodes(phone)).toEqual([first]);

      // The page forgets on reload; the server remembers and says how long is left.
      clock.advance(25);
      await openSmsLogin(page);
      await page.getByPlaceholder('请输入手机号码').fill(phone);
      await page.getByRole('button', { name: '获取验证码', exact: true }).click();
      await page.getByRole('alert').getByText('验证码已发送，请35秒后再获取').waitFor();
      const resumed = page.getByRole('button', { name: /^(35|34)秒后重新获取$/ });
      await resumed.waitFor();
      expect(await resumed.isDisabled()).toBe(true);

      const early = await fetch(`${t.url}/api/auth/sms-code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone }),
      });
      expect(early.status).toBe(429);
      const body = (await early.json()) as { error: { details?: { retryAfterSeconds?: number } } };
      expect(body.error.details?.retryAfterSeconds).toBe(35);

      clock.advance(35);
      const later = await fetch(`${t.url}/api/auth/sms-code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone }),
      });
      expect(later.status).toBe(200);
      const second = await waitForCode(t.url, phone, { after: first });
      expect(second).not.toBe(first);
    } finally {
      await context.close();
    }
  });
});
