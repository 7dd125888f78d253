/**
 * 企业用户申请, as the manual walks it: 申请 → 实名认证 (企业申请, 经办人, 企业认证 → 实名认证成功) →
 * 电子合同 → 上传附件 → 本人已阅读合同 → 证书用途, 发票, 邮寄 → 下一步 → 法人手章, 法人签名 → 提交 → 待审核.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryFixtures } from '../../src/providers/registry/fixtures.ts';
import { browserMissing, screenshot } from '../support/browser.ts';
import { bmpScan, jpegScan } from '../support/images.ts';
import {
  WIZARD_TIMEOUT,
  withPage,
  acceptContract,
  applicationNumber,
  chooseProject,
  enterpriseBaseLabels,
  listRow,
  pickFile,
  scanFolder,
  startApplication,
  uploadCard,
  uploadScan,
  uploadScans,
  verifyOperator,
  verifyOrganisation,
  waitForUploaded,
} from './apply.ts';
import { enterPortal, portalSuite } from './portal.ts';

const person = registryFixtures.persons[0]!;
const company = registryFixtures.organisations[0]!;

describe.skipIf(browserMissing)('企业用户申请', () => {
  const suite = portalSuite();

  it('goes from 申请 to 待审核 at 195.00 元', { timeout: WIZARD_TIMEOUT }, async () => {
    const save = await scanFolder();
    await withPage(suite, 'enterprise', async (page) => {
      await enterPortal(page, suite.app);
      await startApplication(page);
      await page.getByRole('radio', { name: '企业申请' }).waitFor();
      expect(await page.getByRole('radio', { name: '企业申请' }).isChecked()).toBe(true);
      for (const step of ['实名认证', '电子合同', '上传附件', '阅读合同', '申请信息', '上传附件并提交']) {
        await page.locator('.apply-steps').getByText(step, { exact: true }).waitFor();
      }

      const id = await verifyOperator(page, '企业申请', person);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const number = await applicationNumber(page);
      expect(number).toMatch(/^CD\d{14}$/);
      await screenshot(page, 'apply-1-identity.png');

      await verifyOrganisation(page, company);
      await page.getByText('实名认证成功', { exact: true }).waitFor();

      // 电子合同: 确认 waits for the box to be ticked.
      const confirm = page.getByRole('button', { name: '确认', exact: true });
      await confirm.waitFor();
      expect(await confirm.isDisabled()).toBe(true);
      await page.getByText(company.name).first().waitFor();
      await page.getByText('数字证书及电子印章服务合同').waitFor();
      await screenshot(page, 'apply-2-contract.png');
      await acceptContract(page, '本人已同意签署合同');

      // 上传附件: four scans, one of them a BMP.
      await page.getByText('注：附件大小在1M之内，图片格式：jpeg、jpg、png、bmp，营业执照副本扫描件必须加盖公章').waitFor();
      for (const label of enterpriseBaseLabels) await uploadCard(page, label).waitFor();
      await uploadCard(page, '营业执照副本扫描件').getByText('营业执照副本扫描件必须加盖公章').waitFor();
      const [licence, seal, idFront] = enterpriseBaseLabels as [string, string, string, string];
      // On a slow line the card shows how far the upload has got.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 8 * 1024 });
      await pickFile(page, licence, await save('licence.jpg', await jpegScan('licence', 1200, 900)));
      const progress = uploadCard(page, licence).getByRole('progressbar');
      await expect.poll(async () => Number(await progress.getAttribute('aria-valuenow').catch(() => '0'))).toBeGreaterThan(0);
      await screenshot(page, 'apply-3-upload-progress.png');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await waitForUploaded(page, licence);
      await uploadScan(page, seal, await save('seal.bmp', bmpScan()));
      await uploadScan(page, idFront, await save('id-front.jpg', await jpegScan('front')));
      await uploadScan(page, enterpriseBaseLabels[3]!, await save('id-back.jpg', await jpegScan('back')));
      await uploadCard(page, seal).getByText(/^seal\.bmp（\d+KB）$/).waitFor();
      await screenshot(page, 'apply-3-attachments.png');
      await page.getByRole('button', { name: '提交', exact: true }).click();

      // 阅读合同
      await page.getByRole('checkbox', { name: '本人已阅读合同' }).waitFor();
      // The contract as the system made it: a PDF with the CA's seal and signature.
      const pdf = await page.request.get(await page.getByRole('link', { name: '下载电子合同（PDF）' }).getAttribute('href') ?? '');
      expect(pdf.status()).toBe(200);
      expect(pdf.headers()['content-type']).toBe('application/pdf');
      expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
      await page.locator('iframe[title="已签署的电子合同"]').waitFor();
      await screenshot(page, 'apply-4-contract-review.png');
      await acceptContract(page, '本人已阅读合同');

      // 申请信息: 证书用途, 是否开具发票, 证书领取方式.
      await chooseProject(page, '内蒙古自治区政府采购云平台');
      await page.getByRole('radio', { name: '是', exact: true }).check();
      await page.getByRole('radio', { name: '增值税普通发票' }).check();
      expect(await page.getByLabel('发票抬头').inputValue()).toBe(company.name);
      expect(await page.getByLabel('税号').inputValue()).toBe(company.uscc);
      await page.getByLabel('邮箱').fill('caiwu@example.com');
      await page.getByRole('radio', { name: '邮寄' }).check();
      await page.getByRole('radio', { name: 'EMS' }).check();
      expect(await page.getByLabel('收件人', { exact: true }).inputValue()).toBe(person.name);
      await page.getByLabel('收件人手机号').fill(person.phone);
      await page.getByLabel('省份').fill('内蒙古自治区');
      await page.getByLabel('城市').fill('呼和浩特市');
      await page.getByLabel('区县').fill('赛罕区');
      await page.getByLabel('详细地址').fill('大学东街 1 号');
      await screenshot(page, 'apply-5-form.png');
      // Going back a step and returning keeps what was typed.
      await page.locator('.apply-steps').getByText('阅读合同', { exact: true }).click();
      await page.getByRole('checkbox', { name: '本人已阅读合同' }).waitFor();
      await page.locator('.apply-steps').getByText('申请信息', { exact: true }).click();
      expect(await page.getByLabel('邮箱').inputValue()).toBe('caiwu@example.com');
      expect(await page.getByLabel('详细地址').inputValue()).toBe('大学东街 1 号');
      await page.getByRole('button', { name: '下一步', exact: true }).click();

      // 上传附件并提交: the project's 法人手章 and 法人签名.
      await uploadCard(page, '法人手章').waitFor();
      expect(await page.getByRole('link', { name: '下载授权委托书' }).count()).toBe(0);
      await uploadScans(page, save, ['法人手章', '法人签名']);
      await screenshot(page, 'apply-6-project-attachments.png');
      await page.getByRole('button', { name: '提交', exact: true }).click();

      await page.waitForURL('**/applications');
      await page.getByText('申请已提交，请等待审核').waitFor();
      const row = listRow(page, number);
      await row.getByText('待审核', { exact: true }).waitFor();
      await row.getByText('195.00 元').waitFor();
      await row.getByText(company.name).waitFor();
      await row.getByText('内蒙古自治区政府采购云平台').waitFor();
      expect(await row.getByRole('button', { name: '继续填写' }).count()).toBe(0);
      await screenshot(page, 'apply-7-list.png');

      // 查看: everything read-only, the ID number and phone masked.
      await row.getByRole('button', { name: '查看' }).click();
      await page.getByRole('heading', { name: '申请详情' }).waitFor();
      await page.getByText(`${person.idNumber.slice(0, 6)}********${person.idNumber.slice(14)}`).waitFor();
      await page.getByText(`${person.phone.slice(0, 3)}****${person.phone.slice(7)}`).first().waitFor();
      expect(await page.getByText(person.idNumber).count()).toBe(0);
      await page.getByText(/邮寄（EMS）：内蒙古自治区呼和浩特市赛罕区大学东街 1 号/).waitFor();
      for (const label of [...enterpriseBaseLabels, '法人手章', '法人签名']) {
        await uploadCard(page, label).getByRole('img', { name: label, exact: true }).waitFor();
      }
      expect(await page.locator('input[type=file]').count()).toBe(0);
      await screenshot(page, 'apply-8-view.png');

      // The thumbnails are the stored scans themselves.
      const src = await uploadCard(page, seal).getByRole('img', { name: seal, exact: true }).getAttribute('src');
      const stored = await page.request.get(src ?? '');
      expect(stored.headers()['content-type']).toBe('image/bmp');
      expect((await stored.body()).subarray(0, 2).toString()).toBe('BM');
    });
  });

  it('fits a 375 px phone screen', { timeout: WIZARD_TIMEOUT }, async () => {
    await withPage(suite, 'enterprise-mobile', async (page) => {
      await enterPortal(page, suite.app);
      await startApplication(page);
      await verifyOperator(page, '企业申请', registryFixtures.persons[1]!);
      await verifyOrganisation(page, registryFixtures.organisations[1]!);
      await page.getByRole('checkbox', { name: '本人已同意签署合同' }).waitFor();
      await screenshot(page, 'apply-mobile-contract.png');
      await acceptContract(page, '本人已同意签署合同');
      await uploadCard(page, '营业执照副本扫描件').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, 'apply-mobile-attachments.png');
    }, { width: 375, height: 812 });
  });
});
