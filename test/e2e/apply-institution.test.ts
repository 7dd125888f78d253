/**
 * 事业单位用户申请: 企业认证 answers 企业不存在 and the application continues as a 事业单位 — its own
 * attachment labels, no invoice, 自取, the 申请表 and 授权委托书 downloaded, stamped and uploaded;
 * 服务年限 3 年 at 515.00 元.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleUnlistedInstitution, registryFixtures } from '../../src/providers/registry/fixtures.ts';
import { browserMissing, screenshot } from '../support/browser.ts';
import {
  WIZARD_TIMEOUT,
  withPage,
  acceptContract,
  applicationNumber,
  chooseProject,
  institutionBaseLabels,
  listRow,
  scanFolder,
  startApplication,
  uploadCard,
  uploadScans,
  verifyOperator,
  verifyOrganisation,
} from './apply.ts';
import { enterPortal, portalSuite } from './portal.ts';

const person = registryFixtures.persons[2]!;
const institution = exampleUnlistedInstitution();
const projectLabels = ['申请表（加盖单位公章）', '授权委托书（加盖单位公章）', '法人手章', '法人签名'];

describe.skipIf(browserMissing)('事业单位用户申请', () => {
  const suite = portalSuite();

  it('continues after 企业不存在 and takes the stamped 申请表 and 授权委托书', { timeout: WIZARD_TIMEOUT }, async () => {
    const save = await scanFolder();
    await withPage(suite, 'institution', async (page) => {
      await enterPortal(page, suite.app);
      await startApplication(page);
      // The manual has the 事业单位 choose 企业申请 too: the registry's answer decides.
      await verifyOperator(page, '企业申请', person);
      const number = await applicationNumber(page);
      await verifyOrganisation(page, institution);

      await page.getByText(/^企业不存在/).waitFor();
      await page.getByRole('checkbox', { name: '本人已同意签署合同' }).waitFor();
      await page.getByText(institution.name).first().waitFor();
      await screenshot(page, 'apply-institution-1-not-found.png');
      await acceptContract(page, '本人已同意签署合同');

      await page.getByText('事业单位上传事业单位法人证书、单位印章和法定代表人身份证件后提交').waitFor();
      expect(await uploadCard(page, '营业执照副本扫描件').count()).toBe(0);
      await uploadScans(page, save, institutionBaseLabels);
      await page.getByRole('button', { name: '提交', exact: true }).click();
      await acceptContract(page, '本人已阅读合同');

      await chooseProject(page, '内蒙古自治区公共资源交易平台');
      // 服务年限 3 年: first year 195 + two renewal years at 160.
      await page.getByLabel('服务年限').click();
      await page.getByTitle('3 年（515.00 元）').click();
      await page.getByRole('radio', { name: '否', exact: true }).check();
      await page.getByText('选择“否”，客服人员不会开具发票。').waitFor();
      await page.getByRole('radio', { name: '自取' }).check();
      await page.getByText('内蒙古自治区呼和浩特市赛罕区敕勒川大街 1 号 CertDesk 服务大厅（工作日 9:00–17:00）').waitFor();
      expect(await page.getByLabel('收件人', { exact: true }).count()).toBe(0);
      await screenshot(page, 'apply-institution-2-form.png');
      await page.getByRole('button', { name: '下一步', exact: true }).click();

      // The templates come filled in with the application's data.
      const letterLink = page.getByRole('link', { name: '下载授权委托书' });
      await letterLink.waitFor();
      await page.getByRole('link', { name: '下载申请表' }).waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), letterLink.click()]);
      expect(download.suggestedFilename()).toBe(`授权委托书-${number}.pdf`);
      const pdf = await readFile(await download.path());
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

      for (const label of projectLabels) await uploadCard(page, label).waitFor();
      await uploadScans(page, save, projectLabels);
      await screenshot(page, 'apply-institution-3-project-attachments.png');
      await page.getByRole('button', { name: '提交', exact: true }).click();

      await page.waitForURL('**/applications');
      await page.getByText('申请已提交，请等待审核').waitFor();
      const row = listRow(page, number);
      await row.getByText('待审核', { exact: true }).waitFor();
      await row.getByText(institution.name).waitFor();
      await row.getByText('内蒙古自治区公共资源交易平台').waitFor();
      await row.getByText('515.00 元').waitFor();

      await row.getByRole('button', { name: '查看' }).click();
      await page.getByText('515.00 元（服务年限 3 年）').waitFor();
      await page.getByText('事业单位', { exact: true }).waitFor();
      await page.getByText('企业不存在（按事业单位人工审核）').waitFor();
      await page.getByText(/^自取：内蒙古自治区呼和浩特市/).waitFor();
    });
  });
});
