/**
 * 运营看板 in the browser: 财务 opens it from the menu on the known week (support/reports-history.ts)
 * — the figures and the charts are there, with the application waiting too long for review — then
 * picks two days in the date range and the figures follow.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { movableClock } from '../support/app.ts';
import { browserMissing, newPage, screenshot } from '../support/browser.ts';
import { reportsHistory } from '../support/reports-history.ts';

// Its own year, far from reports.test.ts's 2024: on a shared PostgreSQL both seed the same week.
const { year, NOW, PERIOD, seed: seedReportsHistory } = reportsHistory(2036);
import { addSessionCookie, openSession } from '../support/sessions.ts';
import { newStaffAccount } from '../support/staff.ts';
import { portalSuite } from './portal.ts';

describe.skipIf(browserMissing)('运营看板', () => {
  const clock = movableClock();
  const suite = portalSuite({ clock: clock.now });
  let waitingNumber: string;
  beforeAll(async () => {
    clock.advance((NOW.getTime() - clock.now().getTime()) / 1000);
    waitingNumber = (await seedReportsHistory(suite.app)).waiting.number;
  });

  it('shows the period’s figures and charts, and follows the date range', async () => {
    const { context, page } = await newPage(suite.browser, suite.app.url);
    try {
      const account = await newStaffAccount(suite.app, ['finance'], clock.now());
      await addSessionCookie(context, suite.app, await openSession(suite.app, 'staff', account.id));
      await page.goto(`/console/dashboard?from=${PERIOD.from}&to=${PERIOD.to}`);
      await page.getByRole('heading', { name: '运营看板' }).waitFor();
      await expect.poll(() => page.getByRole('menuitem', { name: '运营看板' }).count()).toBe(1);

      const figure = (title: string) => page.locator('.ant-statistic').filter({ has: page.getByText(title, { exact: true }) }).locator('.ant-statistic-content');
      await expect.poll(() => figure('申请（已提交）').textContent()).toBe('7');
      expect(await figure('净收入（元）').textContent()).toBe('745.00');
      expect(await figure('有效证书').textContent()).toBe('5');
      // The certificates "now" are the server's snapshot, taken at the app's (unmoving) 10:00 Beijing.
      await page.getByText('数据更新于 10:00:00', { exact: true }).waitFor();
      // Five charts, drawn: the funnel's steps are written on its axis.
      const charts = page.locator('.dashboard-chart .recharts-wrapper > svg.recharts-surface');
      await expect.poll(() => charts.count()).toBe(5);
      const funnel = page.getByLabel('转化漏斗（本期提交的申请）');
      for (const step of ['提交', '审核通过', '已支付', '已完成']) await funnel.locator('svg text').filter({ hasText: new RegExp(`^${step}$`) }).waitFor();
      await page.getByLabel('制证时长（小时，支付至发出；制证周期 2 天）').getByText('制证周期', { exact: true }).waitFor();
      await page.getByRole('row').filter({ hasText: waitingNumber }).waitFor();
      await screenshot(page, 'console-dashboard.png');

      // Two days: 04-01 and 04-02.
      await page.getByPlaceholder('开始日期').click();
      await page.getByPlaceholder('开始日期').fill(`${year}-04-01`);
      await page.getByPlaceholder('开始日期').press('Enter');
      await page.getByPlaceholder('结束日期').fill(`${year}-04-02`);
      await page.getByPlaceholder('结束日期').press('Enter');
      await expect.poll(() => figure('申请（已提交）').textContent()).toBe('2');
      expect(await figure('收入（元）').textContent()).toBe('390.00');
      expect(new URL(page.url()).search).toBe(`?from=${year}-04-01&to=${year}-04-02`);
      await expect.poll(() => charts.count()).toBe(5);
    } catch (err) {
      await screenshot(page, 'failed-dashboard.png').catch(() => undefined);
      throw err;
    } finally {
      await context.close();
    }
  });
});
