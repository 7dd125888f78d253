/**
 * 待修改 → 再次提交 → 资料审核通过 in the browser: an application built at 待审核 (scenario.ts) is returned
 * by a reviewer (企业印章：印章模糊); the list shows 待修改 with 修改, which opens the returned mode with
 * the reason; 再次提交 before re-uploading is refused in words; after 企业印章 is uploaded again
 * 再次提交 → 待审核. Approved over the API, the list shows 资料审核通过 with its 支付 button.
 */
import { describe, expect, it } from 'vitest';
import { movableClock, randomPhone } from '../support/app.ts';
import { browserMissing, screenshot } from '../support/browser.ts';
import { waitForSms } from '../support/sms.ts';
import { jpegScan } from '../support/images.ts';
import { submittedApplication } from '../support/scenario.ts';
import { loggedInStaff } from '../support/staff.ts';
import { WIZARD_TIMEOUT, listRow, pickFile, scanFolder, uploadCard, withPage } from './apply.ts';
import { apiSession, enterPortal, portalSuite } from './portal.ts';

describe.skipIf(browserMissing)('修改 a returned application', () => {
  const clock = movableClock();
  const suite = portalSuite({ clock: clock.now });

  it('修改 → re-upload 企业印章 → 再次提交 → 待审核, then 资料审核通过 offers 支付 and 微信支付 pays', { timeout: WIZARD_TIMEOUT }, async () => {
    const save = await scanFolder();
    await withPage(suite, 'returned', async (page) => {
      const phone = await enterPortal(page, suite.app, randomPhone());
      const applicant = await apiSession(suite.app, clock, phone);
      const { id, number } = await submittedApplication(suite.app, applicant);

      const staff = await loggedInStaff(suite.app, clock, ['reviewer']);
      const returned = await staff.post(`/api/review/applications/${id}/decision`, {
        decision: 'return',
        items: [{ item: 'attachment:org_seal', reason: '印章模糊' }],
      });
      expect(returned.status, JSON.stringify(returned.body)).toBe(200);

      // The list: 待修改 with 修改 beside 查看 and 取消.
      await page.goto('/applications');
      const row = listRow(page, number);
      await row.getByText('待修改', { exact: true }).waitFor();
      for (const name of ['修改', '查看', '取消']) {
        expect(await row.getByRole('button', { name, exact: true }).isVisible()).toBe(true);
      }
      await row.getByRole('button', { name: '修改', exact: true }).click();
      await page.waitForURL(`**/applications/${id}`);

      // The returned mode: the reason, only 企业印章 can be uploaded again.
      await page.getByText('审核未通过，请按以下意见修改后再次提交').waitFor();
      await page.getByText('企业印章：印章模糊', { exact: true }).waitFor();
      await uploadCard(page, '营业执照副本扫描件').getByRole('img', { name: '营业执照副本扫描件' }).waitFor();
      expect(await uploadCard(page, '营业执照副本扫描件').getByRole('button', { name: '重新上传' }).count()).toBe(0);
      expect(await uploadCard(page, '企业印章').getByRole('button', { name: '重新上传' }).isVisible()).toBe(true);
      await screenshot(page, 'returned-open.png');

      // 再次提交 before the seal changed: the server's refusal, in words.
      await page.getByRole('button', { name: '再次提交', exact: true }).click();
      await page.getByText('请先修改退回的内容：企业印章').waitFor();

      await pickFile(page, '企业印章', await save('seal-clear.jpg', await jpegScan('清晰的企业印章')));
      await uploadCard(page, '企业印章').getByText(/seal-clear\.jpg/).waitFor();
      await screenshot(page, 'returned-reuploaded.png');

      await page.getByRole('button', { name: '再次提交', exact: true }).click();
      await page.waitForURL('**/applications');
      await page.getByText('已重新提交，请等待审核').waitFor();
      await listRow(page, number).getByText('待审核', { exact: true }).waitFor();
      expect(await listRow(page, number).getByRole('button', { name: '修改', exact: true }).count()).toBe(0);

      // 审核通过 → 资料审核通过 with 支付.
      const approved = await staff.post<{ statusLabel: string }>(`/api/review/applications/${id}/decision`, { decision: 'approve' });
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      // The 审核通过 SMS, through the job queue, at /dev/sms: the amount and the next step.
      const sms = await waitForSms(suite.app.url, phone, `${number}）资料审核通过`);
      expect(sms).toContain('应缴费用195.00元');
      await page.reload();
      const approvedRow = listRow(page, number);
      await approvedRow.getByText('资料审核通过', { exact: true }).waitFor();
      const pay = approvedRow.getByRole('button', { name: '支付', exact: true });
      expect(await pay.isEnabled()).toBe(true);
      expect(await approvedRow.getByRole('button', { name: '查看', exact: true }).isVisible()).toBe(true);
      expect(await approvedRow.getByRole('button', { name: '取消', exact: true }).isVisible()).toBe(true);
      await screenshot(page, 'returned-approved.png');

      await pay.click();
      const dialog = page.getByRole('dialog', { name: '选择支付方式' });
      await dialog.waitFor();
      expect(await dialog.getByRole('radio', { name: '银行汇款' }).isChecked()).toBe(true);
      await dialog.getByText('微信支付', { exact: true }).click();
      expect(await dialog.getByRole('radio', { name: '微信支付' }).isChecked()).toBe(true);
      await dialog.getByRole('button', { name: '确认支付', exact: true }).click();
      // 微信支付: the QR code; the simulator's page plays the payer's phone (scan → 确认支付).
      const qr = page.getByRole('dialog', { name: '微信支付' });
      await qr.getByRole('img', { name: '微信支付二维码' }).waitFor();
      await qr.getByText('195.00 元', { exact: true }).waitFor();
      await screenshot(page, 'returned-payment.png');
      const phonePage = await page.context().newPage();
      await phonePage.goto(suite.app.url + (await qr.getByRole('link').getAttribute('href')));
      await phonePage.getByRole('button', { name: '确认支付' }).click();
      await phonePage.close();
      await qr.getByText('支付成功', { exact: true }).waitFor({ timeout: 20_000 });
      await screenshot(page, 'returned-paid.png');
      await qr.locator('.ant-modal-footer').getByRole('button', { name: '关闭' }).click();
      await listRow(page, number).getByText('已支付', { exact: true }).waitFor();
    });
  });

  it('a returned 证书领取方式 is edited in the 申请信息 form, 保存, 再次提交', { timeout: WIZARD_TIMEOUT }, async () => {
    await withPage(suite, 'returned-delivery', async (page) => {
      const phone = await enterPortal(page, suite.app, randomPhone());
      const applicant = await apiSession(suite.app, clock, phone);
      const { id, number } = await submittedApplication(suite.app, applicant);
      const staff = await loggedInStaff(suite.app, clock, ['reviewer']);
      const returned = await staff.post(`/api/review/applications/${id}/decision`, {
        decision: 'return',
        items: [{ item: 'field:delivery', reason: '详细地址不完整' }],
      });
      expect(returned.status, JSON.stringify(returned.body)).toBe(200);

      await page.goto('/applications');
      await listRow(page, number).getByRole('button', { name: '修改', exact: true }).click();
      await page.getByText('证书领取方式：详细地址不完整', { exact: true }).waitFor();
      // Only the delivery group is editable; no scan can be replaced.
      expect(await page.getByLabel('证书用途').isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: '重新上传' }).count()).toBe(0);
      const address = page.getByLabel('详细地址');
      expect(await address.isEnabled()).toBe(true);

      await page.getByRole('button', { name: '再次提交', exact: true }).click();
      await page.getByText('请先修改退回的内容：证书领取方式').waitFor();

      await address.fill('大学东街 1 号 3 号楼 201 室');
      await page.getByRole('button', { name: '保存', exact: true }).click();
      await page.getByText('已保存', { exact: true }).waitFor();
      await expect.poll(() => page.getByRole('button', { name: '保存', exact: true }).isEnabled()).toBe(true);
      await screenshot(page, 'returned-delivery.png');
      await page.getByRole('button', { name: '再次提交', exact: true }).click();
      await page.waitForURL('**/applications');
      await listRow(page, number).getByText('待审核', { exact: true }).waitFor();
    });
  });
});
