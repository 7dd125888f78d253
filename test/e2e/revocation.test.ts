/**
 * 申请吊销 in the browser: the holder of a two-year certificate (服务年限 2 年) opens 证书与印章,
 * asks for revocation with a reason; a 制证员 finds it under 制证管理 → 吊销申请 and 同意吊销; the
 * holder's list then says 已吊销 with the time and the reason.
 */
import { describe, expect, it } from 'vitest';
import { movableClock, randomPhone } from '../support/app.ts';
import { browserMissing, newPage, screenshot } from '../support/browser.ts';
import { producerClient } from '../support/production.ts';
import { paidApplication } from '../support/scenario.ts';
import { newStaffAccount } from '../support/staff.ts';
import { listRow, WIZARD_TIMEOUT } from './apply.ts';
import { apiSession, enterConsole, enterPortal, portalSuite } from './portal.ts';

describe.skipIf(browserMissing)('申请吊销', () => {
  const clock = movableClock();
  const suite = portalSuite({ clock: clock.now });

  it('the holder asks, a 制证员 approves, the certificate reads 已吊销', { timeout: WIZARD_TIMEOUT }, async () => {
    const applicantView = await newPage(suite.browser, suite.app.url);
    const producerView = await newPage(suite.browser, suite.app.url);
    const portal = applicantView.page;
    const console = producerView.page;
    try {
      const phone = await enterPortal(portal, suite.app, randomPhone());
      const applicant = await apiSession(suite.app, clock, phone);
      const { id, number } = await paidApplication(suite.app, clock, { applicant, termYears: 2 });
      // The applicant approved the seal picture (确认印章, walked in the journeys): the list offers 证书与印章.
      expect((await applicant.post(`/api/applications/${id}/seal/approve`)).status).toBe(200);
      const producerApi = await producerClient(suite.app, clock);
      expect((await producerApi.post(`/api/production/applications/${id}/start`)).status).toBe(200);
      const issued = await producerApi.post(`/api/production/applications/${id}/certificates`, { mode: 'software', family: 'p256' });
      expect(issued.status, JSON.stringify(issued.body)).toBe(200);

      await portal.goto('/applications');
      const mine = listRow(portal, number);
      await mine.getByRole('button', { name: '证书与印章' }).click();
      const dialog = portal.getByRole('dialog', { name: `证书与印章（申请单号：${number}）` });
      await dialog.getByText('有效', { exact: true }).waitFor();
      // 服务年限 2 年: the validity ends two years after it starts.
      const validity = await dialog.getByText(/有效期：/).textContent();
      const [, from, to] = /(\d{4})-\d\d-\d\d 至 (\d{4})/.exec(validity ?? '') ?? [];
      expect(Number(to) - Number(from)).toBe(2);

      await dialog.getByRole('button', { name: '申请吊销' }).click();
      const ask = portal.getByRole('dialog', { name: '申请吊销单位签名证书' });
      await ask.getByRole('button', { name: '提交吊销申请' }).click();
      await ask.getByText('请选择吊销原因').first().waitFor();
      await ask.getByLabel('吊销原因').click();
      await portal.getByTitle('密钥泄露或 USB Key 丢失').click();
      await ask.getByLabel('补充说明（选填）').fill('USB Key 遗失');
      await screenshot(portal, 'portal-revocation-request.png');
      await ask.getByRole('button', { name: '提交吊销申请' }).click();
      await portal.getByText('吊销申请已提交，请等待审核').waitFor();
      await dialog.getByText('吊销申请待审核', { exact: true }).waitFor();
      expect(await dialog.getByRole('button', { name: '申请吊销' }).count()).toBe(0);

      const producer = await newStaffAccount(suite.app, ['producer'], clock.now());
      await enterConsole(console, suite.app, producer);
      await console.waitForURL('**/console/production');
      await console.getByRole('menuitem', { name: '吊销申请' }).click();
      await console.getByRole('heading', { name: '吊销申请' }).waitFor();
      const row = console.getByRole('row').filter({ hasText: number });
      await row.getByText('密钥泄露或 USB Key 丢失').waitFor();
      await row.getByText('USB Key 遗失').waitFor();
      await screenshot(console, 'console-revocation-requests.png');
      await row.getByRole('button', { name: '同意吊销' }).click();
      await console.locator('.ant-popconfirm').getByRole('button', { name: '同意吊销' }).click();
      await console.getByText(`已吊销 ${number} 的单位签名证书`).waitFor();
      await console.getByRole('tab', { name: '已吊销' }).click();
      await console.getByRole('row').filter({ hasText: number }).waitFor();

      await dialog.getByRole('button', { name: '关闭' }).first().click();
      await mine.getByRole('button', { name: '证书与印章' }).click();
      await dialog.getByText('已吊销', { exact: true }).waitFor();
      await dialog.getByText(/吊销时间：.*原因：密钥泄露/).waitFor();
      await screenshot(portal, 'portal-certificate-revoked.png');
    } catch (err) {
      await screenshot(console, 'failed-revocation-console.png').catch(() => undefined);
      await screenshot(portal, 'failed-revocation-portal.png').catch(() => undefined);
      throw err;
    } finally {
      await applicantView.context.close();
      await producerView.context.close();
    }
  });
});
