/**
 * 事业单位用户, the whole manual through the interface alone: 企业认证 answers 企业不存在 and the
 * application continues as a 事业单位 in the manual's order — 电子合同 (已阅读并确认) → 单位证书及电子印章申请
 * (所属项目, 服务年限, 发票, 自取) → 下一步 → one 上传附件 step (the 申请表 and 授权委托书 downloaded filled in,
 * the 事业单位法人证书, 法人手章, 法人签名 and both stamped forms uploaded) → 提交 → 待审核; 审核通过 by a
 * 审核员; 微信支付 through the simulator's payer page → 支付成功; 确认印章; 开始制证, 签发证书, 制作电子印章,
 * 通知自取 by a 制证员; 确认收货 → 已完成, with the certificate, the seal and the signed contract
 * downloaded and checked. Every click reaches the real server.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { pdfsigAsync } from '../../src/pdf/testing.ts';
import { exampleUnlistedInstitution, registryFixtures } from '../../src/providers/registry/fixtures.ts';
import { browserMissing, screenshot } from '../support/browser.ts';
import { waitForSms } from '../support/sms.ts';
import {
  JOURNEY_TIMEOUT,
  withPage,
  acceptContract,
  applicationNumber,
  chooseProject,
  listRow,
  scanFolder,
  startApplication,
  uploadCard,
  uploadScans,
  verifyOperator,
  verifyOrganisation,
} from './apply.ts';
import { asStaff, queueRow } from './console.ts';
import { logIn, portalSuite } from './portal.ts';

const person = registryFixtures.persons[2]!;
const institution = exampleUnlistedInstitution();
const uploads = ['事业单位法人证书', '申请表（加盖单位公章）', '授权委托书（加盖单位公章）', '法人手章', '法人签名'];

describe.skipIf(browserMissing)('事业单位用户：从申请到已完成', () => {
  const suite = portalSuite();

  it('企业不存在 → 电子合同 → 申请信息 → 上传附件 → 提交 → 审核通过 → 微信支付 → 确认印章 → 制证 → 通知自取 → 已完成', { timeout: JOURNEY_TIMEOUT }, async () => {
    const save = await scanFolder();
    await withPage(suite, 'journey-institution', async (page) => {
      const phone = await logIn(page, suite.app.url);
      await startApplication(page);
      // The manual has the 事业单位 choose 企业申请 too: the registry's answer decides.
      await verifyOperator(page, '企业申请', person);
      const number = await applicationNumber(page);
      await verifyOrganisation(page, institution);

      await page.getByText(/^企业不存在/).waitFor();
      await page.getByText(institution.name).first().waitFor();
      // The 事业单位's path, as the manual tells it: no separate upload and no second reading.
      for (const step of ['实名认证', '电子合同', '申请信息', '上传附件并提交']) await page.locator('.apply-steps').getByText(step, { exact: true }).waitFor();
      expect(await page.locator('.apply-steps').getByText('阅读合同', { exact: true }).count()).toBe(0);
      await screenshot(page, 'apply-institution-1-not-found.png');
      await acceptContract(page, '本人已阅读并确认，同意签署合同');

      // 进入单位证书及电子印章申请界面: 所属项目, 服务年限 3 年 (195 + 2 × 160), 不开发票, 自取.
      await chooseProject(page, '内蒙古自治区公共资源交易平台');
      await page.getByLabel('服务年限').click();
      await page.getByTitle('3 年（515.00 元）').click();
      await page.getByRole('radio', { name: '否', exact: true }).check();
      await page.getByText('选择“否”，客服人员不会开具发票。').waitFor();
      await page.getByRole('radio', { name: '自取' }).check();
      await page.getByText('内蒙古自治区呼和浩特市赛罕区敕勒川大街 1 号 CertDesk 服务大厅（工作日 9:00–17:00）').waitFor();
      expect(await page.getByLabel('收件人', { exact: true }).count()).toBe(0);
      await screenshot(page, 'apply-institution-2-form.png');
      await page.getByRole('button', { name: '下一步', exact: true }).click();

      // 上传附件并提交: the signed contract, the filled-in templates, and every paper in one step.
      await page.getByText('电子合同已签署', { exact: false }).waitFor();
      await page.getByText('事业单位申请证书须先点击下载申请表和授权委托书模板，填写好加盖单位公章后上传。同时上传事业单位法人证书、法人手章、法人签名后提交。').waitFor();
      await page.getByText('注：附件大小在1MB之内，图片格式：jpeg、jpg、png、bmp，事业单位法人证书、申请表和授权委托书扫描件必须加盖公章').waitFor();
      expect(await uploadCard(page, '营业执照副本扫描件').count()).toBe(0);
      const letterLink = page.getByRole('link', { name: '下载授权委托书' });
      await page.getByRole('link', { name: '下载申请表' }).waitFor();
      const [letter] = await Promise.all([page.waitForEvent('download'), letterLink.click()]);
      expect(letter.suggestedFilename()).toBe(`授权委托书-${number}.pdf`);
      expect((await readFile(await letter.path())).subarray(0, 5).toString()).toBe('%PDF-');
      const [contractFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载电子合同（PDF）' }).click()]);
      expect(contractFile.suggestedFilename()).toBe(`电子合同-${number}.pdf`);
      const contract = await pdfsigAsync(await contractFile.path());
      expect(contract.valid, contract.raw).toBe(true);
      for (const label of uploads) await uploadCard(page, label).waitFor();
      await uploadScans(page, save, uploads);
      await screenshot(page, 'apply-institution-3-attachments.png');
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

      await asStaff(suite, ['reviewer'], 'journey-institution-review', async (console) => {
        await console.waitForURL('**/console/review');
        const queued = await queueRow(console, number);
        await queued.getByRole('link', { name: `审核 ${number}` }).click();
        await console.getByRole('img', { name: '事业单位法人证书' }).waitFor();
        await console.getByRole('button', { name: '审核通过', exact: true }).click();
        await console.locator('.ant-popconfirm').getByRole('button', { name: '确定' }).click();
        await console.waitForURL('**/console/review');
      });
      expect(await waitForSms(suite.app.url, phone, `${number}）资料审核通过`)).toContain('应缴费用515.00元');

      // 支付 → 微信支付 → 确认支付: the QR code; the simulator's page plays the payer's phone.
      await page.goto('/applications');
      await listRow(page, number).getByRole('button', { name: '支付', exact: true }).click();
      const choose = page.getByRole('dialog', { name: '选择支付方式' });
      await choose.getByText('微信支付', { exact: true }).click();
      await choose.getByRole('button', { name: '确认支付', exact: true }).click();
      const qr = page.getByRole('dialog', { name: '微信支付' });
      await qr.getByRole('img', { name: '微信支付二维码' }).waitFor();
      await qr.getByText('515.00 元', { exact: true }).waitFor();
      // One date format everywhere: 2026-12-03 02:36, Beijing time.
      await qr.getByText(/^二维码有效期至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/).waitFor();
      await screenshot(page, 'journey-wechat-qr.png');
      const phonePage = await page.context().newPage();
      await phonePage.goto(suite.app.url + (await qr.getByRole('link').getAttribute('href')));
      await phonePage.getByRole('button', { name: '确认支付' }).click();
      await phonePage.close();
      await qr.getByText('支付成功', { exact: true }).waitFor({ timeout: 20_000 });
      await qr.locator('.ant-modal-footer').getByRole('button', { name: '关闭' }).click();

      // 已支付 → 待确认印章 → 确认印章.
      const paid = listRow(page, number);
      await paid.getByText('已支付', { exact: true }).waitFor();
      await paid.getByText('待确认印章', { exact: true }).waitFor();
      expect(await waitForSms(suite.app.url, phone, `${number}）已支付`)).toContain('确认印章');
      await paid.getByRole('button', { name: '确认印章', exact: true }).click();
      const artefacts = page.getByRole('dialog');
      await artefacts.getByRole('img', { name: '电子印章预览' }).waitFor();
      await artefacts.getByText(institution.name).waitFor();
      await artefacts.getByRole('button', { name: '确认印章' }).click();
      await page.locator('.ant-popconfirm').getByRole('button', { name: '确认印章' }).click();
      await artefacts.getByText('已确认印章', { exact: false }).waitFor();
      await artefacts.getByRole('button', { name: '关闭' }).first().click();

      await asStaff(suite, ['producer'], 'journey-institution-production', async (console) => {
        await console.waitForURL('**/console/production');
        const queued = await queueRow(console, number);
        await queued.getByRole('link', { name: `办理 ${number}` }).click();
        await console.getByRole('heading', { name: `制证 ${number}` }).waitFor();
        await console.getByRole('button', { name: '开始制证', exact: true }).click();
        await console.locator('.ant-popconfirm').getByRole('button', { name: '确定' }).click();
        await console.getByText('已开始制证').waitFor();
        await console.getByText('软证书', { exact: true }).click();
        await console.getByRole('button', { name: '签发证书' }).click();
        await console.getByRole('dialog').getByRole('button', { name: '我已保存密码和证书文件' }).click();
        await console.getByRole('button', { name: '制作电子印章' }).click();
        await console.getByText('电子印章已制作').waitFor();
        // 自取: the pickup SMS names the address.
        await console.getByRole('button', { name: '通知自取' }).click();
        await console.getByText('待自取', { exact: true }).first().waitFor();
        await screenshot(console, 'production-institution-pickup.png');
      });
      expect(await waitForSms(suite.app.url, phone, `${number}）已制作完成`)).toContain(suite.app.config.pickupAddress);

      await page.reload();
      const ready = listRow(page, number);
      await ready.getByText('待自取', { exact: true }).waitFor();
      await ready.getByRole('button', { name: '证书与印章' }).click();
      const downloads = page.getByRole('dialog');
      const [certificate] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('link', { name: '下载证书' }).first().click()]);
      const subject = execFileSync('openssl', ['x509', '-inform', 'DER', '-in', await certificate.path(), '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus'], { encoding: 'utf8' });
      expect(subject).toContain(institution.name);
      const [sealFile] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('link', { name: '下载电子印章' }).click()]);
      const sealBytes = await readFile(await sealFile.path());
      await downloads.getByRole('button', { name: '关闭' }).first().click();
      await ready.getByRole('button', { name: '确认收货' }).click();
      await page.locator('.ant-popconfirm').getByRole('button', { name: '确认收货' }).click();
      await listRow(page, number).getByText('已完成', { exact: true }).waitFor();
      await screenshot(page, 'journey-institution-completed.png');

      await page.goto('/verify');
      const chooser = page.waitForEvent('filechooser');
      await page.getByText('选择文件', { exact: true }).click();
      await (await chooser).setFiles({ name: sealFile.suggestedFilename(), mimeType: 'application/octet-stream', buffer: sealBytes });
      await page.getByRole('region', { name: '验证结果' }).getByRole('heading', { name: '有效' }).waitFor();
    });
  });
});
