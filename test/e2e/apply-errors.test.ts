/**
 * What the wizard says when something is wrong, at each step: check digits and registry refusals
 * at 实名认证, 确认 before the box is ticked, pictures that need converting, a PDF dressed as a
 * JPEG, 提交 with a scan missing, a 专票 without 开户行 — and 稍后再试 keeping what was typed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { registryFixtures } from '../../src/providers/registry/fixtures.ts';
import { RegistryUnavailable, type RegistryProvider } from '../../src/providers/registry/types.ts';
import { browserMissing, screenshot } from '../support/browser.ts';
import { gifImage, jpegScan, largeJpeg, pdfDocument } from '../support/images.ts';
import {
  WIZARD_TIMEOUT,
  withPage,
  acceptContract,
  chooseProject,
  fillOperator,
  fillOrganisation,
  pickFile,
  startApplication,
  uploadCard,
  uploadScan,
  verifyOperator,
  verifyOrganisation,
  waitForUploaded,
  scanFolder,
} from './apply.ts';
import { enterPortal, portalSuite } from './portal.ts';

const person = registryFixtures.persons[3]!;
const company = registryFixtures.organisations[4]!;

/** The same code with another last character: the check digit no longer fits. */
const wrongCheck = (code: string, a: string, b: string) => `${code.slice(0, 17)}${code[17] === a ? b : a}`;

/** A message shown both in the step's alert and under the field: either will do. */
const shown = (page: Page, text: string | RegExp) => page.getByText(text).first().waitFor();

describe.skipIf(browserMissing)('申请: what the wizard says when something is wrong', () => {
  const suite = portalSuite();

  it('refuses bad 实名认证 input and names the field', { timeout: WIZARD_TIMEOUT }, async () => {
    await withPage(suite, 'errors-identity', async (page) => {
      await enterPortal(page, suite.app);
      await startApplication(page);

      // Checked in the page, with the server's words, before anything is sent.
      await page.getByRole('button', { name: '实名认证', exact: true }).click();
      await page.getByText('请填写经办人姓名').waitFor();
      await fillOperator(page, '企业申请', { ...person, idNumber: wrongCheck(person.idNumber, '0', '1') });
      await page.getByRole('button', { name: '实名认证', exact: true }).click();
      await page.getByText('身份证号校验位不正确，请核对后重新输入').waitFor();
      await page.getByLabel('身份证号').fill(person.idNumber.slice(0, 10));
      await page.getByText('身份证号应为18位').waitFor();
      expect(new URL(page.url()).pathname).toBe('/applications/new');

      // The registry's refusal names the field that does not match.
      await page.getByLabel('身份证号').fill(person.idNumber);
      await page.getByLabel('手机号', { exact: true }).fill(registryFixtures.persons[4]!.phone);
      await page.getByRole('button', { name: '实名认证', exact: true }).click();
      await shown(page, /^实名认证未通过：.*手机号.*与登记信息不一致，请核对后重新输入$/);
      expect(await page.getByLabel('经办人姓名').inputValue()).toBe(person.name);
      await screenshot(page, 'apply-errors-operator.png');

      await verifyOperator(page, '企业申请', person);
      await fillOrganisation(page, { ...company, uscc: wrongCheck(company.uscc, 'A', 'B') });
      await page.getByRole('button', { name: '企业认证', exact: true }).click();
      await page.getByText('统一社会信用代码校验位不正确，请核对后重新输入').waitFor();

      await verifyOrganisation(page, { ...company, legalRepresentative: '张冒名' });
      await shown(page, '企业认证未通过：法定代表人与登记信息不一致，请核对后重新输入');
      // Under the field too: its error is what describes the 法定代表人 input.
      const rep = page.getByLabel('法定代表人');
      expect(await rep.getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('单位名称').inputValue()).toBe(company.name);
      await screenshot(page, 'apply-errors-organisation.png');
    });
  });

  it('judges uploads, lists what is missing, and asks a 专票 for its 开户行', { timeout: WIZARD_TIMEOUT }, async () => {
    const save = await scanFolder();
    await withPage(suite, 'errors-uploads', async (page) => {
      await enterPortal(page, suite.app);
      await startApplication(page);
      await verifyOperator(page, '企业申请', person);
      await verifyOrganisation(page, company);

      const confirm = page.getByRole('button', { name: '确认', exact: true });
      await confirm.waitFor();
      expect(await confirm.isDisabled()).toBe(true);
      await page.getByRole('checkbox', { name: '本人已同意签署合同' }).check();
      expect(await confirm.isEnabled()).toBe(true);
      await confirm.click();

      // 提交 before anything is uploaded: the server lists every missing scan.
      const submit = page.getByRole('button', { name: '提交', exact: true });
      await submit.click();
      await page.getByText('请上传：营业执照副本扫描件、企业印章、法定代表人身份证件（人像面）、法定代表人身份证件（国徽面）').waitFor();

      // A 1.5 MB JPEG: the page offers to convert it, and the converted JPEG is accepted.
      const licence = '营业执照副本扫描件';
      await pickFile(page, licence, await save('licence-large.jpg', await largeJpeg()));
      const dialog = page.getByRole('dialog', { name: '图片需要转换' });
      await dialog.waitFor();
      await dialog.getByText(/^所选图片大小为1\.\dMB，超过1MB的限制。/).waitFor();
      await dialog.getByText(/^转换后：JPEG，\d+KB，\d+×\d+像素$/).waitFor();
      await dialog.getByRole('img', { name: '转换后的图片预览' }).waitFor();
      await screenshot(page, 'apply-errors-convert.png');
      await dialog.getByRole('button', { name: '转换并上传' }).click();
      await waitForUploaded(page, licence);
      await uploadCard(page, licence).getByText(/^licence-large\.jpg（\d+KB）$/).waitFor();

      // A PDF named .jpg is sent as it is; the server says what it really is.
      const seal = '企业印章';
      await pickFile(page, seal, await save('seal.jpg', pdfDocument()));
      await uploadCard(page, seal).getByText(/^该文件实际是PDF文档，不是图片（文件名为 seal\.jpg），请上传JPEG、PNG或BMP格式的图片$/).waitFor();
      expect(await uploadCard(page, seal).getByText('未上传').count()).toBe(1);

      // A GIF: the browser can open it, so conversion is offered; 取消 leaves the slot empty.
      const front = '法定代表人身份证件（人像面）';
      const gif = await save('front.gif', await gifImage());
      await pickFile(page, front, gif);
      await dialog.getByText(/^所选图片为GIF格式，平台只接受jpeg、jpg、png、bmp格式。/).waitFor();
      await dialog.getByRole('button', { name: '取消' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(await uploadCard(page, front).getByText('未上传').count()).toBe(1);
      await pickFile(page, front, gif);
      await dialog.getByText(/^转换后：JPEG/).waitFor();
      await dialog.getByRole('button', { name: '转换并上传' }).click();
      await waitForUploaded(page, front);
      await uploadCard(page, front).getByText(/^front\.jpg（\d+KB）$/).waitFor();

      await uploadScan(page, seal, await save('seal-ok.jpg', await jpegScan('seal')));
      await screenshot(page, 'apply-errors-uploads.png');
      await submit.click();
      await page.getByText('请上传：法定代表人身份证件（国徽面）').waitFor();
      await uploadScan(page, '法定代表人身份证件（国徽面）', await save('back.jpg', await jpegScan('back')));
      await submit.click();

      await acceptContract(page, '本人已阅读合同');

      // 申请信息: a 专票 needs 营业地址, 电话号码, 开户行 and 账号.
      await page.getByRole('button', { name: '下一步', exact: true }).click();
      await page.getByText('请选择所属项目').waitFor();
      await page.getByText('请选择是否开具发票').waitFor();
      await page.getByText('请选择证书领取方式').waitFor();
      await chooseProject(page, '内蒙古自治区政府采购云平台');
      await page.getByRole('radio', { name: '是', exact: true }).check();
      await page.getByRole('radio', { name: '增值税专用发票' }).check();
      await page.getByLabel('邮箱').fill('caiwu@example.com');
      await page.getByLabel('营业地址').fill('内蒙古自治区赤峰市红山区玉龙大街 8 号');
      await page.getByLabel('电话号码').fill('0476-8888888');
      await page.getByLabel('账号').fill('6222 0206 0200 1234 567');
      await page.getByRole('radio', { name: '自取' }).check();
      await page.getByRole('button', { name: '下一步', exact: true }).click();
      await page.getByText('请填写开户行').waitFor();
      expect(await page.getByLabel('开户行').getAttribute('aria-invalid')).toBe('true');
      await screenshot(page, 'apply-errors-form.png');
      // Nothing was saved: the draft is still at 申请信息.
      expect(await page.getByRole('button', { name: '下一步', exact: true }).count()).toBe(1);
    });
  });
});

describe.skipIf(browserMissing)('申请: 稍后再试 when the registry is away', () => {
  let registryDown = true;
  /** Everyone matches; the enterprise register answers only once it is back. */
  const registry: RegistryProvider = {
    verifyPerson: async () => ({ outcome: 'match' }),
    verifyEnterprise: async (e) => {
      if (registryDown) throw new RegistryUnavailable('timed out', 'Timeout', 3);
      return { outcome: 'match', registeredName: e.name, businessStatus: 'operating' };
    },
  };

  const suite = portalSuite({ registry });

  it('keeps what was typed and succeeds when tried again', { timeout: WIZARD_TIMEOUT }, async () => {
    await withPage(suite, 'errors-registry-down', async (page) => {
      await enterPortal(page, suite.app);
      await startApplication(page);
      await verifyOperator(page, '企业申请', person);
      await verifyOrganisation(page, company);
      await shown(page, '实名认证服务暂时无法连接，请稍后再试（已填写的信息不会丢失）');
      // A failure of a service names the request, for support to find it in the log.
      await shown(page, /实名认证服务暂时无法连接.*（报错编号：[0-9a-f-]{36}）/);
      expect(await page.getByLabel('单位名称').inputValue()).toBe(company.name);
      expect(await page.getByLabel('统一社会信用代码').inputValue()).toBe(company.uscc);
      expect(await page.getByLabel('法定代表人').inputValue()).toBe(company.legalRepresentative);

      registryDown = false;
      await page.getByRole('button', { name: '企业认证', exact: true }).click();
      await page.getByText('实名认证成功', { exact: true }).waitFor();
      await page.getByRole('checkbox', { name: '本人已同意签署合同' }).waitFor();
    });
  });
});
