/**
 * 银行汇款 in the browser, as the manual's 支付 chapter: 支付 → 银行汇款 → 确认支付 shows the
 * account, the amount and the remittance code; 上传凭证 + 支付说明 → 确定提交 → 待确认到账. The 财务
 * logs in to the console, sees the voucher beside the code and amount, 确认到账 → the applicant's
 * list shows 已支付.
 */
import { describe, expect, it } from 'vitest';
import { movableClock, randomPhone } from '../support/app.ts';
import { approvedApplication } from '../support/applicant.ts';
import { browserMissing, newPage, screenshot } from '../support/browser.ts';
import { jpegScan } from '../support/images.ts';
import { newStaffAccount } from '../support/staff.ts';
import { WIZARD_TIMEOUT, listRow, scanFolder, withPage } from './apply.ts';
import { apiSession, enterConsole, enterPortal, portalSuite } from './portal.ts';

describe.skipIf(browserMissing)('支付：银行汇款', () => {
  const clock = movableClock();
  const suite = portalSuite({ clock: clock.now });

  it('上传凭证 → 待确认到账; 财务 确认到账 → 已支付', { timeout: WIZARD_TIMEOUT }, async () => {
    const scans = await scanFolder();
    await withPage(suite, 'payment-bank', async (page) => {
      const phone = await enterPortal(page, suite.app, randomPhone());
      const applicant = await apiSession(suite.app, clock, phone);
      const { number } = await approvedApplication(suite.app, clock, applicant);

      await page.goto('/applications');
      await listRow(page, number).getByRole('button', { name: '支付', exact: true }).click();
      const choose = page.getByRole('dialog', { name: '选择支付方式' });
      expect(await choose.getByRole('radio', { name: '银行汇款' }).isChecked()).toBe(true);
      await choose.getByRole('button', { name: '确认支付', exact: true }).click();

      const bank = page.getByRole('dialog', { name: '银行汇款' });
      await bank.getByText('汇款识别码', { exact: true }).waitFor();
      const code = (await bank.locator('.ant-descriptions-item-content').nth(4).innerText()).trim();
      expect(code).toMatch(/^HK[0-9A-Z]{8}$/);
      await bank.getByText('195.00 元', { exact: true }).waitFor();
      await bank.getByRole('button', { name: '确定提交' }).click();
      await bank.getByText('请先上传凭证').waitFor();
      await bank.locator('input[type=file]').setInputFiles(await scans('voucher.jpg', await jpegScan('汇款单')));
      await bank.getByLabel('支付说明').fill(`已通过工商银行汇款，附言 ${code}`);
      await screenshot(page, 'payment-bank.png');
      await bank.getByRole('button', { name: '确定提交' }).click();
      await page.getByText('凭证已提交，请等待财务确认到账').waitFor();
      await listRow(page, number).getByText('待确认到账', { exact: true }).waitFor();

      const finance = await newStaffAccount(suite.app, ['finance'], clock.now());
      const { context, page: console } = await newPage(suite.browser, suite.app.url);
      try {
        await enterConsole(console, suite.app, finance);
        await console.waitForURL('**/console/finance');
        const row = console.getByRole('row').filter({ hasText: number });
        await row.getByRole('cell', { name: code, exact: true }).waitFor();
        await row.getByRole('img', { name: `${number} 汇款凭证` }).waitFor();
        await screenshot(console, 'console-finance.png');
        await row.getByRole('button', { name: '确认到账' }).click();
        await console.getByRole('tooltip').getByRole('button', { name: '确认到账' }).click();
        await console.getByText('已确认到账').waitFor();
      } finally {
        await context.close();
      }

      await page.reload();
      await listRow(page, number).getByText('已支付', { exact: true }).waitFor();
    });
  });
});
