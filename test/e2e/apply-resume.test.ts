/**
 * A draft survives the browser: started, left at 上传附件, the browser closed; after logging in
 * again the list shows it as 草稿 with 继续填写, which resumes at 上传附件 with the scans already
 * sent. Then 取消 from the list → 已取消.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryFixtures } from '../../src/providers/registry/fixtures.ts';
import { movableClock, randomPhone } from '../support/app.ts';
import { browserMissing, screenshot } from '../support/browser.ts';
import { codesInOutbox } from '../support/sms.ts';
import {
  WIZARD_TIMEOUT,
  acceptContract,
  applicationNumber,
  listRow,
  scanFolder,
  startApplication,
  uploadCard,
  uploadScans,
  verifyOperator,
  verifyOrganisation,
  waitForUploaded,
  withPage,
} from './apply.ts';
import { logIn, openSmsLogin, portalSuite, requestCode, submitCode } from './portal.ts';

const person = registryFixtures.persons[5]!;
const company = registryFixtures.organisations[6]!;

describe.skipIf(browserMissing)('继续填写 a draft', () => {
  const clock = movableClock();
  const suite = portalSuite({ clock: clock.now });

  it('resumes at 上传附件 after logging in again, then 取消 → 已取消', { timeout: WIZARD_TIMEOUT }, async () => {
    const phone = randomPhone();
    const save = await scanFolder();
    const uploaded = ['营业执照副本扫描件', '企业印章'];
    let number = '';
    let id = '';

    await withPage(suite, 'resume-start', async (page) => {
      await logIn(page, suite.app.url, phone);
      await startApplication(page);
      id = await verifyOperator(page, '企业申请', person);
      number = await applicationNumber(page);
      await verifyOrganisation(page, company);
      await acceptContract(page, '本人已同意签署合同');
      await uploadScans(page, save, uploaded);
    });

    // A new code only after the 60 s cooldown.
    clock.advance(61);
    const firstCode = codesInOutbox(await (await fetch(`${suite.app.url}/dev/sms`)).text(), phone)[0];

    await withPage(suite, 'resume-again', async (page) => {
      await openSmsLogin(page);
      const code = await requestCode(page, suite.app.url, phone, firstCode);
      await submitCode(page, code);
      await page.waitForURL('**/applications');

      const row = listRow(page, number);
      await row.getByText('草稿', { exact: true }).waitFor();
      await row.getByText(company.name).waitFor();
      await row.getByText('195.00 元').waitFor();
      await screenshot(page, 'apply-resume-list.png');
      await row.getByRole('button', { name: '继续填写' }).click();

      // Back at 上传附件, with what was sent before.
      await page.getByText('注：附件大小在1MB之内，图片格式：jpeg、jpg、png、bmp，营业执照副本扫描件必须加盖公章').waitFor();
      for (const label of uploaded) await waitForUploaded(page, label);
      expect(await uploadCard(page, '法定代表人身份证件（人像面）').getByText('未上传').count()).toBe(1);
      await screenshot(page, 'apply-resume-attachments.png');

      // Earlier steps can be looked at again: 实名认证 shows what the draft holds.
      await page.locator('.apply-steps').getByText('实名认证', { exact: true }).click();
      await page.getByText('实名认证成功', { exact: true }).waitFor();
      expect(await page.getByLabel('单位名称').inputValue()).toBe(company.name);
      expect(await page.getByLabel('经办人姓名').inputValue()).toBe(person.name);
      await page.getByText(`已认证：${person.idNumber.slice(0, 6)}********${person.idNumber.slice(14)}`, { exact: false }).waitFor();
      // Steps not reached yet cannot be opened.
      await page.locator('.apply-steps').getByText('申请信息', { exact: true }).click();
      await page.getByLabel('单位名称').waitFor();
      await page.locator('.apply-steps').getByText('上传附件', { exact: true }).click();
      await waitForUploaded(page, uploaded[0]!);

      // 取消 from the list, after confirming.
      await page.getByRole('button', { name: '返回列表' }).click();
      await page.waitForURL('**/applications');
      await row.getByRole('button', { name: '取消', exact: true }).click();
      await page.getByText('确定取消该申请吗？').waitFor();
      await page.getByRole('tooltip').getByRole('button', { name: '确定' }).click();
      await row.getByText('已取消', { exact: true }).waitFor();
      expect(await row.getByRole('button', { name: '继续填写' }).count()).toBe(0);
      expect(await row.getByRole('button', { name: '取消', exact: true }).count()).toBe(0);
      await screenshot(page, 'apply-resume-cancelled.png');

      // A cancelled application opens read-only, even by its wizard address.
      await page.goto(`/applications/${id}`);
      await page.waitForURL(`**/applications/${id}/view`);
      await page.getByRole('heading', { name: '申请详情' }).waitFor();
      await page.getByText('已取消', { exact: true }).first().waitFor();
      expect(await page.locator('input[type=file]').count()).toBe(0);
      expect(await page.getByRole('button', { name: '继续填写' }).count()).toBe(0);
    });
  });
});
