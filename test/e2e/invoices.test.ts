/**
 * 发票 in the browser: an application that asked for an invoice is paid by 微信支付 (built on the
 * server, through the WeChat Pay simulator); the applicant finds 下载发票 on 我的申请 and gets the
 * PDF; 财务 opens 发票管理, finds the invoice, and 重开 it with a corrected 发票抬头 — the old one
 * is then 已红冲 and the new one issued.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { movableClock, randomPhone } from '../support/app.ts';
import { company } from '../support/applicant.ts';
import { browserMissing, newPage, screenshot } from '../support/browser.ts';
import { uniqueMailbox } from '../support/mail.ts';
import { approvedApplication } from '../support/scenario.ts';
import { newStaffAccount } from '../support/staff.ts';
import { listRow, WIZARD_TIMEOUT } from './apply.ts';
import { apiSession, enterConsole, enterPortal, portalSuite } from './portal.ts';

describe.skipIf(browserMissing)('发票', () => {
  const clock = movableClock();
  const suite = portalSuite({ clock: clock.now, invoiceRetryDelaySeconds: 1 });

  it('the applicant downloads it from the list; 财务 重开 it from 发票管理', { timeout: WIZARD_TIMEOUT }, async () => {
    const applicantView = await newPage(suite.browser, suite.app.url);
    const financeView = await newPage(suite.browser, suite.app.url);
    const portal = applicantView.page;
    const console = financeView.page;
    try {
      const phone = await enterPortal(portal, suite.app, randomPhone());
      const applicant = await apiSession(suite.app, clock, phone);
      const email = uniqueMailbox();
      const { id, number } = await approvedApplication(suite.app, clock, applicant, {
        invoice: { wanted: true, type: 'normal', title: company.name, taxNumber: company.uscc, email },
      });
      const order = await applicant.post<{ payment: { outTradeNo: string } }>(`/api/applications/${id}/payment/wechat`);
      expect(order.status, JSON.stringify(order.body)).toBe(200);
      await suite.app.certdesk.wechatPaySimulator?.pay(order.body.payment.outTradeNo);

      // 我的申请: 下载发票 appears once the platform has issued it.
      await portal.goto('/applications');
      const mine = listRow(portal, number);
      const downloadLink = mine.getByRole('link', { name: '下载发票' });
      for (let i = 0; ; i++) {
        await mine.waitFor();
        if ((await downloadLink.count()) > 0) break;
        if (i > 60) throw new Error('下载发票 never appeared');
        await new Promise((resolve) => setTimeout(resolve, 500));
        await portal.reload();
      }
      const downloading = portal.waitForEvent('download');
      await downloadLink.click();
      const download = await downloading;
      expect(download.suggestedFilename()).toMatch(/^电子发票-\d{20}\.pdf$/);
      const pdf = await readFile((await download.path()) ?? '');
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      await screenshot(portal, 'portal-invoice-download.png');

      // 申请详情 shows the invoice and its mail.
      await mine.getByRole('button', { name: '查看' }).click();
      const card = portal.locator('.ant-card').filter({ hasText: '发票' }).filter({ hasText: '发票号码' });
      await card.getByText('已开具').waitFor();
      await card.getByText(/已发送|发送中/).first().waitFor();

      // 财务: 发票管理 → 已开具 → 详情 → 重开 with the branch's title.
      const finance = await newStaffAccount(suite.app, ['finance'], clock.now());
      await enterConsole(console, suite.app, finance);
      await console.getByRole('menuitem', { name: '发票管理' }).click();
      await console.getByRole('heading', { name: '发票管理' }).waitFor();
      await console.getByText('已开具', { exact: true }).first().click();
      const row = console.getByRole('row').filter({ hasText: number });
      await row.getByRole('button', { name: '详情' }).click();
      const drawer = console.locator('.ant-drawer');
      await drawer.getByRole('button', { name: '重开' }).click();
      const reissue = console.getByRole('dialog', { name: '重开发票' });
      await reissue.getByLabel('发票抬头').fill(`${company.name}（分公司）`);
      await screenshot(console, 'console-invoice-reissue.png');
      await reissue.getByRole('button', { name: '红冲并重开' }).click();
      await console.getByText('已红冲原发票，并按更正后的信息重新开具').waitFor();
      await drawer.getByText('已红冲').first().waitFor();

      // The applicant sees the red one and the new one.
      await portal.reload();
      await card.getByText('红字发票').waitFor();
      for (let i = 0; ; i++) {
        await card.getByText('红字发票').waitFor();
        if ((await card.getByText(`${company.name}（分公司）`).count()) > 0) break;
        if (i > 60) throw new Error('the reissued invoice never appeared');
        await new Promise((resolve) => setTimeout(resolve, 500));
        await portal.reload();
      }
      await screenshot(portal, 'portal-invoices-after-reissue.png');
    } catch (err) {
      await screenshot(console, 'failed-invoices-console.png').catch(() => undefined);
      await screenshot(portal, 'failed-invoices-portal.png').catch(() => undefined);
      throw err;
    } finally {
      await applicantView.context.close();
      await financeView.context.close();
    }
  });
});
