/**
 * 企业用户, the whole manual through the interface alone: 免密码登录 → 数字证书申请 → 单位证书及电子印章申请
 * → 申请 → 实名认证 (企业申请, 经办人, 企业认证 → 实名认证成功) → 电子合同 → 上传附件 → 本人已阅读合同 →
 * 证书用途, 发票, 邮寄 → 下一步 → 法人手章, 法人签名 → 提交 → 待审核; the 审核员's 审核通过 in the console;
 * 银行汇款 (account and 汇款识别码 on the list, 支付 → 银行汇款 → 确认支付 → 上传凭证 → 确定提交 →
 * 待确认到账) and the 财务's 确认到账; the applicant's 确认印章; the 制证员's 开始制证, 签发证书 (软证书),
 * 制作电子印章 and 邮寄; the applicant's 确认收货 → 已完成, and the certificate, the seal and the
 * contract downloaded and checked (openssl, /verify, pdfsig). Nothing is answered for the pages:
 * every click reaches the real server; staff accounts are made as `certdesk staff create` makes them.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { pdfsigAsync } from '../../src/pdf/testing.ts';
import { registryFixtures } from '../../src/providers/registry/fixtures.ts';
import { browserMissing, screenshot } from '../support/browser.ts';
import { bmpScan, jpegScan } from '../support/images.ts';
import { waitForSms } from '../support/sms.ts';
import {
  JOURNEY_TIMEOUT,
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
import { asStaff, queueRow } from './console.ts';
import { logIn, portalSuite } from './portal.ts';

const person = registryFixtures.persons[0]!;
const company = registryFixtures.organisations[0]!;

describe.skipIf(browserMissing)('企业用户：从申请到已完成', () => {
  const suite = portalSuite();

  it('申请 → 待审核 → 审核通过 → 银行汇款 → 确认到账 → 确认印章 → 制证 → 邮寄 → 确认收货 → 已完成', { timeout: JOURNEY_TIMEOUT }, async () => {
    const save = await scanFolder();
    await withPage(suite, 'journey-enterprise', async (page) => {
      const phone = await logIn(page, suite.app.url);
      // The menu, as the manual names it: 【数字证书申请】【单位证书及电子印章申请】, then 申请.
      await page.getByRole('menuitem', { name: '单位证书及电子印章申请' }).click();
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
      await page.getByText('注：附件大小在1MB之内，图片格式：jpeg、jpg、png、bmp，营业执照副本扫描件必须加盖公章').waitFor();
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

      // 阅读合同: the contract as the system made it, a PDF with the CA's seal and signature.
      await page.getByRole('checkbox', { name: '本人已阅读合同' }).waitFor();
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
      // 下载电子合同（PDF）: a file, signed by the CA (pdfsig).
      const [contractFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载电子合同（PDF）' }).click()]);
      expect(contractFile.suggestedFilename()).toBe(`电子合同-${number}.pdf`);
      const contract = await pdfsigAsync(await contractFile.path());
      expect(contract.valid, contract.raw).toBe(true);
      expect(contract.totalDocumentSigned, contract.raw).toBe(true);

      // The 审核员: 待审核申请 → 审核 → 审核通过.
      await asStaff(suite, ['reviewer'], 'journey-enterprise-review', async (console) => {
        await console.waitForURL('**/console/review');
        const queued = await queueRow(console, number);
        await queued.getByRole('link', { name: `审核 ${number}` }).click();
        await console.getByRole('img', { name: '企业印章' }).waitFor();
        await console.getByText('195.00 元').first().waitFor();
        await console.getByRole('button', { name: '审核通过', exact: true }).click();
        await console.locator('.ant-popconfirm').getByRole('button', { name: '确定' }).click();
        await console.waitForURL('**/console/review');
      });

      // The 审核通过 SMS names the amount and where the account and the code are.
      const approvedSms = await waitForSms(suite.app.url, phone, `${number}）资料审核通过`);
      expect(approvedSms).toContain('应缴费用195.00元');
      expect(approvedSms).toContain('汇款识别码');
      // The list shows how to remit, without opening a dialog.
      await page.goto('/applications');
      const approved = listRow(page, number);
      await approved.getByText('资料审核通过', { exact: true }).waitFor();
      const note = page.locator('.portal-bank-note').filter({ hasText: '应缴费金额 195.00 元' });
      await note.waitFor();
      const code = /HK[0-9A-Z]{8}/.exec((await note.textContent()) ?? '')?.[0] ?? '';
      expect(code).toMatch(/^HK[0-9A-Z]{8}$/);
      await note.getByText(suite.app.config.payments.bank.accountNumber, { exact: false }).waitFor();
      await screenshot(page, 'journey-approved-list.png');

      // 支付 → 银行汇款 → 确认支付: the same account, amount and code; 上传凭证 + 支付说明 → 确定提交.
      await approved.getByRole('button', { name: '支付', exact: true }).click();
      const choose = page.getByRole('dialog', { name: '选择支付方式' });
      expect(await choose.getByRole('radio', { name: '银行汇款' }).isChecked()).toBe(true);
      await choose.getByRole('button', { name: '确认支付', exact: true }).click();
      const bank = page.getByRole('dialog', { name: '银行汇款' });
      await bank.getByText('汇款识别码', { exact: true }).waitFor();
      expect((await bank.locator('.ant-descriptions-item-content').nth(4).innerText()).trim()).toBe(code);
      await bank.getByText('195.00 元', { exact: true }).waitFor();
      await bank.getByRole('button', { name: '确定提交' }).click();
      await bank.getByText('请先上传凭证').waitFor();
      await bank.locator('input[type=file]').setInputFiles(await save('voucher.jpg', await jpegScan('汇款单')));
      await bank.getByLabel('支付说明').fill(`已通过工商银行汇款，附言 ${code}`);
      await screenshot(page, 'payment-bank.png');
      await bank.getByRole('button', { name: '确定提交' }).click();
      await page.getByText('凭证已提交，请等待财务确认到账').waitFor();
      await listRow(page, number).getByText('待确认到账', { exact: true }).waitFor();

      // The 财务: the voucher beside the code → 确认到账.
      await asStaff(suite, ['finance'], 'journey-enterprise-finance', async (console) => {
        await console.waitForURL('**/console/finance');
        const waiting = console.getByRole('row').filter({ hasText: number });
        await waiting.getByRole('cell', { name: code, exact: true }).waitFor();
        await waiting.getByRole('img', { name: `${number} 汇款凭证` }).waitFor();
        await screenshot(console, 'console-finance.png');
        await waiting.getByRole('button', { name: '确认到账' }).click();
        await console.getByRole('tooltip').getByRole('button', { name: '确认到账' }).click();
        await console.getByText('已确认到账').waitFor();
      });

      // 已支付: production waits for the applicant's 确认印章 (SMS, and on the list).
      expect(await waitForSms(suite.app.url, phone, `${number}）已支付`)).toContain('确认印章');
      await page.reload();
      const paid = listRow(page, number);
      await paid.getByText('已支付', { exact: true }).waitFor();
      await paid.getByText('待确认印章', { exact: true }).waitFor();
      await screenshot(page, 'journey-paid-list.png');
      await paid.getByRole('button', { name: '确认印章', exact: true }).click();
      const artefacts = page.getByRole('dialog');
      await artefacts.getByRole('img', { name: '电子印章预览' }).waitFor();
      await expect.poll(() => artefacts.getByRole('img', { name: '电子印章预览' }).evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      await artefacts.getByText('制作电子印章需等待您的确认', { exact: false }).waitFor();
      await screenshot(page, 'journey-seal-preview.png');
      await artefacts.getByRole('button', { name: '确认印章' }).click();
      await page.locator('.ant-popconfirm').getByRole('button', { name: '确认印章' }).click();
      await artefacts.getByText('已确认印章', { exact: false }).waitFor();
      await artefacts.getByRole('button', { name: '关闭' }).first().click();
      await expect.poll(() => listRow(page, number).getByText('待确认印章', { exact: true }).count()).toBe(0);

      // The 制证员: 制证队列 → 办理 → 开始制证 → 签发证书 (软证书) → 制作电子印章 → 邮寄.
      await asStaff(suite, ['producer'], 'journey-enterprise-production', async (console) => {
        await console.waitForURL('**/console/production');
        await console.getByRole('menuitem', { name: '制证队列' }).waitFor();
        await console.getByRole('tab', { name: '已支付 待制证' }).waitFor();
        const queued = await queueRow(console, number);
        await expect(queued.textContent()).resolves.toContain('邮寄（EMS）');
        await screenshot(console, 'production-queue.png');
        await queued.getByRole('link', { name: `办理 ${number}` }).click();
        await console.getByRole('heading', { name: `制证 ${number}` }).waitFor();
        await console.getByText('统一社会信用代码').waitFor();
        await console.getByRole('button', { name: '开始制证', exact: true }).click();
        await console.locator('.ant-popconfirm').getByRole('button', { name: '确定' }).click();
        await console.getByText('已开始制证').waitFor();
        await console.getByText('制证中', { exact: true }).first().waitFor();
        // Nothing may leave before the certificate and the seal exist.
        await console.getByText('有效的数字证书和电子印章制作完成后才能邮寄或通知自取').waitFor();
        expect(await console.getByRole('button', { name: '确认邮寄' }).count()).toBe(0);
        await console.getByText('申请人已确认印章', { exact: false }).waitFor();
        expect(await console.getByRole('button', { name: '制作电子印章' }).isDisabled()).toBe(true);
        await console.getByText('请先签发 SM2 证书', { exact: false }).waitFor();

        // 签发证书: an SM2 软证书 — a dual pair in one file, its password shown once.
        await console.getByText('软证书', { exact: true }).click();
        await console.getByRole('button', { name: '签发证书' }).click();
        const once = console.getByRole('dialog');
        await once.getByText('软证书已生成').waitFor();
        await once.getByText('证书保护密码只显示这一次', { exact: false }).waitFor();
        await once.getByText('单位签名证书（SM2）').waitFor();
        await once.getByText('单位加密证书（SM2）').waitFor();
        await once.getByText('证书文件内含 SM2 双证书', { exact: false }).waitFor();
        const password = ((await once.locator('[aria-label="证书保护密码"]').textContent()) ?? '').trim();
        expect(password.length).toBeGreaterThan(8);
        const [p12] = await Promise.all([console.waitForEvent('download'), once.getByRole('button', { name: `下载证书文件（${number}-sm2.p12）` }).click()]);
        expect(p12.suggestedFilename()).toBe(`${number}-sm2.p12`);
        // The password shown opens the file the producer downloaded (what the holder will do).
        const bags = execFileSync('openssl', ['pkcs12', '-in', await p12.path(), '-passin', `pass:${password}`, '-nokeys', '-info'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        expect(bags).toContain('BEGIN CERTIFICATE');
        await screenshot(console, 'production-p12-once.png');
        await once.getByRole('button', { name: '我已保存密码和证书文件' }).click();
        expect(await console.getByText(password).count()).toBe(0);
        await console.getByText('有效', { exact: true }).first().waitFor();
        expect(await console.getByText('有效', { exact: true }).count()).toBe(2);

        await console.getByRole('button', { name: '制作电子印章' }).click();
        await console.getByText('电子印章已制作').waitFor();
        await console.getByRole('img', { name: company.name }).waitFor();
        await screenshot(console, 'production-ca-panels.png');

        await console.getByLabel('运单号').fill('EA123456789CN');
        await screenshot(console, 'production-detail-in-production.png');
        await console.getByRole('button', { name: '确认邮寄' }).click();
        await console.getByText('已邮寄，已短信通知申请人').waitFor();
        await console.getByText('已邮寄', { exact: true }).first().waitFor();
        await console.getByText('等待申请人确认收货', { exact: false }).waitFor();
        await screenshot(console, 'production-detail-shipped.png');
      });

      // 已邮寄: the waybill number on the list; the certificates and the seal to download; 确认收货.
      await page.reload();
      const shipped = listRow(page, number);
      await shipped.getByText('已邮寄', { exact: true }).waitFor();
      await shipped.getByText('EMS 运单号：EA123456789CN').waitFor();
      await screenshot(page, 'portal-shipped.png');
      await shipped.getByRole('button', { name: '证书与印章' }).click();
      const downloads = page.getByRole('dialog');
      await downloads.getByText('单位签名证书（SM2）').waitFor();
      await downloads.getByText('单位加密证书（SM2）').waitFor();
      await downloads.getByText('SM2 双证书中的加密证书', { exact: false }).waitFor();
      expect(await downloads.getByRole('link', { name: '下载证书' }).count()).toBe(2);
      await screenshot(page, 'portal-artefacts.png');
      const [certificate] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('link', { name: '下载证书' }).first().click()]);
      const subject = execFileSync('openssl', ['x509', '-inform', 'DER', '-in', await certificate.path(), '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus'], { encoding: 'utf8' });
      expect(subject).toContain(company.name);
      expect(subject).toContain(company.uscc);
      const [sealFile] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('link', { name: '下载电子印章' }).click()]);
      expect(sealFile.suggestedFilename()).toMatch(/\.esl$/);
      const sealBytes = await readFile(await sealFile.path());
      await downloads.getByRole('button', { name: '关闭' }).first().click();

      await shipped.getByRole('button', { name: '确认收货' }).click();
      await page.locator('.ant-popconfirm').getByRole('button', { name: '确认收货' }).click();
      await page.getByText(`申请${number}已确认收货`).waitFor();
      await listRow(page, number).getByText('已完成', { exact: true }).waitFor();
      expect(await listRow(page, number).getByRole('button', { name: '确认收货' }).count()).toBe(0);
      await screenshot(page, 'portal-completed.png');

      // Anyone can check the seal the unit received: /verify says 有效.
      await page.goto('/verify');
      const chooser = page.waitForEvent('filechooser');
      await page.getByText('选择文件', { exact: true }).click();
      await (await chooser).setFiles({ name: sealFile.suggestedFilename(), mimeType: 'application/octet-stream', buffer: sealBytes });
      await page.getByRole('region', { name: '验证结果' }).getByRole('heading', { name: '有效' }).waitFor();
    });
  });

  it('fits a 375 px phone screen', { timeout: WIZARD_TIMEOUT }, async () => {
    await withPage(suite, 'enterprise-mobile', async (page) => {
      await logIn(page, suite.app.url);
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
