/**
 * 制证管理 in the browser: a 制证员 logs in (the console opens on 制证队列), finds a paid application
 * by its number, 开始制证, then 邮寄 with EMS and a waybill number; the applicant's list shows 已邮寄
 * with the number, 证书与印章 says they are being made, and 确认收货 → 已完成.
 * The CA module's issuance panels are not there yet on this branch: the page says so (404).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { movableClock, randomPhone } from '../support/app.ts';
import { browserMissing, newPage, screenshot } from '../support/browser.ts';
import { TestClient } from '../support/http.ts';
import { paidApplication } from '../support/production.ts';
import { codesInOutbox, waitForCode } from '../support/sms.ts';
import { newStaffAccount, secretOf, STAFF_PASSWORD, totpCode, type PasswordStep } from '../support/staff.ts';
import { listRow, WIZARD_TIMEOUT } from './apply.ts';
import { logIn, portalSuite } from './portal.ts';

describe.skipIf(browserMissing)('制证管理', () => {
  const clock = movableClock();
  const suite = portalSuite({ clock: clock.now });

  /** The same applicant as the browser, over HTTP: a second login of that phone. */
  async function apiSession(phone: string): Promise<TestClient> {
    const outbox = await (await fetch(new URL('/dev/sms', suite.app.url))).text();
    const previous = codesInOutbox(outbox, phone)[0];
    clock.advance(61);
    const client = new TestClient(suite.app.url);
    expect((await client.post('/api/auth/sms-code', { phone })).status).toBe(200);
    const code = await waitForCode(suite.app.url, phone, { after: previous });
    const res = await client.post<{ csrfToken: string }>('/api/auth/login', { phone, code });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    client.csrfToken = res.body.csrfToken;
    client.phone = phone;
    return client;
  }

  async function producerLogIn(page: Page, username: string) {
    await page.goto('/console/login');
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(STAFF_PASSWORD);
    const loginResponse = page.waitForResponse((r) => r.url().endsWith('/api/staff/login') && r.request().method() === 'POST');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    const step = (await (await loginResponse).json()) as PasswordStep;
    if (step.next !== 'enrol') throw new Error('expected enrolment');
    await page.getByLabel('动态验证码').fill(totpCode(secretOf(step.otpauthUrl), clock.now()));
    await page.getByRole('button', { name: '绑定并登录', exact: true }).click();
  }

  it('开始制证 → 邮寄 with a waybill number → the applicant sees 已邮寄 and 确认收货 → 已完成', { timeout: WIZARD_TIMEOUT }, async () => {
    const applicantView = await newPage(suite.browser, suite.app.url);
    const producerView = await newPage(suite.browser, suite.app.url);
    const portal = applicantView.page;
    const console = producerView.page;
    try {
      const phone = await logIn(portal, suite.app.url, randomPhone());
      const applicant = await apiSession(phone);
      const { number } = await paidApplication(suite.app, clock, { applicant });
      const producer = await newStaffAccount(suite.app, ['producer'], clock.now());

      await producerLogIn(console, producer.username);
      await console.waitForURL('**/console/production');
      await console.getByRole('menuitem', { name: '制证队列' }).waitFor();
      await console.getByRole('tab', { name: '已支付 待制证' }).waitFor();
      // CI's PostgreSQL keeps earlier runs' orders: find this one as a 制证员 would, by its number.
      await console.getByPlaceholder('申请单号或单位名称').fill(number);
      await console.getByRole('button', { name: '查询' }).click();
      const row = console.getByRole('row').filter({ hasText: number });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('邮寄（EMS）');
      await screenshot(console, 'production-queue.png');

      await row.getByRole('link', { name: `办理 ${number}` }).click();
      await console.getByRole('heading', { name: `制证 ${number}` }).waitFor();
      await console.getByText('统一社会信用代码').waitFor();
      await screenshot(console, 'production-detail-paid.png');
      await console.getByRole('button', { name: '开始制证', exact: true }).click();
      await console.locator('.ant-popconfirm').getByRole('button', { name: '确定' }).click();
      await console.getByText('已开始制证').waitFor();
      await console.getByText('制证中', { exact: true }).first().waitFor();
      await console.getByText('证书签发服务暂未开通', { exact: false }).waitFor();

      await console.getByLabel('运单号').fill('EA123456789CN');
      await screenshot(console, 'production-detail-in-production.png');
      await console.getByRole('button', { name: '确认邮寄' }).click();
      await console.getByText('已邮寄，已短信通知申请人').waitFor();
      await console.getByText('已邮寄', { exact: true }).first().waitFor();
      await console.getByText('等待申请人确认收货', { exact: false }).waitFor();
      await screenshot(console, 'production-detail-shipped.png');

      await portal.goto('/applications');
      const mine = listRow(portal, number);
      await mine.getByText('已邮寄', { exact: true }).waitFor();
      await mine.getByText('EMS 运单号：EA123456789CN').waitFor();
      await screenshot(portal, 'portal-shipped.png');

      await mine.getByRole('button', { name: '证书与印章' }).click();
      await portal.getByRole('dialog').getByText('证书和电子印章正在制作中', { exact: false }).waitFor();
      await screenshot(portal, 'portal-artefacts-pending.png');
      await portal.getByRole('dialog').getByRole('button', { name: '关闭' }).first().click();

      await mine.getByRole('button', { name: '确认收货' }).click();
      await portal.locator('.ant-popconfirm').getByRole('button', { name: '确认收货' }).click();
      await portal.getByText(`申请${number}已确认收货`).waitFor();
      await mine.getByText('已完成', { exact: true }).waitFor();
      expect(await mine.getByRole('button', { name: '确认收货' }).count()).toBe(0);
      await screenshot(portal, 'portal-completed.png');
    } catch (err) {
      await screenshot(console, 'failed-production-console.png').catch(() => undefined);
      await screenshot(portal, 'failed-production-portal.png').catch(() => undefined);
      throw err;
    } finally {
      await applicantView.context.close();
      await producerView.context.close();
    }
  });
});
