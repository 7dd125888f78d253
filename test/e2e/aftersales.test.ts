/**
 * 变更, 挂失 and 补办 in Chromium, each from 证书与印章 and found by the words on the page, one page
 * per kind; the unit holding an SM2 certificate is built on the server (certified.ts), and the rest
 * of each pipeline is aftersales.test.ts's.
 */
import { describe, it } from 'vitest';
import { movableClock } from '../support/app.ts';
import { company } from '../support/applicant.ts';
import { browserMissing, screenshot } from '../support/browser.ts';
import { certifiedUnit, type CertifiedUnit } from '../support/certified.ts';
import { addSessionCookie, openApplicantSession } from '../support/sessions.ts';
import { waitForCode } from '../support/sms.ts';
import { JOURNEY_TIMEOUT, acceptContract, listRow, withPage } from './apply.ts';
import { portalSuite } from './portal.ts';
import type { Page } from 'playwright-core';

const clock = movableClock(new Date());

describe.skipIf(browserMissing !== undefined)('售后 in the browser', () => {
  const suite = portalSuite({ clock: clock.now });

  /** The holder's 证书与印章 of the unit's first application. */
  async function artefacts(page: Page, unit: CertifiedUnit) {
    await addSessionCookie(page.context(), suite.app, await openApplicantSession(suite.app, unit.phone));
    await page.goto('/applications');
    await listRow(page, unit.number).getByRole('button', { name: '证书与印章' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('单位签名证书', { exact: false }).first().waitFor();
    return dialog;
  }

  it('变更: what changed → 企业认证 on the new name, explained while the register lags', { timeout: JOURNEY_TIMEOUT }, async () => {
    const unit = await certifiedUnit(suite.app);
    await withPage(suite, 'change', async (page) => {
      const dialog = await artefacts(page, unit);
      await dialog.getByRole('button', { name: '变更', exact: true }).click();
      const ask = page.getByRole('dialog', { name: '证书变更' });
      await ask.getByRole('checkbox', { name: '单位名称' }).check();
      await ask.getByRole('button', { name: '开始变更' }).click();
      await page.getByRole('heading', { name: '证书变更' }).waitFor();
      await page.getByLabel('单位名称').fill(`${company.name}（更名）`);
      await page.getByRole('button', { name: '确认并企业认证' }).click();
      await page.getByText('工商登记信息尚未显示变更后的内容', { exact: false }).first().waitFor();
      await screenshot(page, 'change-1-lagging.png');
      await page.getByRole('checkbox', { name: '本人已同意签署合同' }).waitFor();
    });
  });

  it('挂失: 获取验证码 → 确认挂失 revokes at once, and 补办 is offered', { timeout: JOURNEY_TIMEOUT }, async () => {
    const unit = await certifiedUnit(suite.app);
    await withPage(suite, 'loss', async (page) => {
      const dialog = await artefacts(page, unit);
      await dialog.getByRole('button', { name: '挂失', exact: true }).first().click();
      const loss = page.getByRole('dialog', { name: '证书挂失' });
      await loss.getByRole('button', { name: '获取验证码' }).click();
      await loss.getByText('验证码已发送至', { exact: false }).waitFor();
      await loss.getByLabel('短信验证码').fill(await waitForCode(suite.app.url, unit.phone));
      await loss.getByRole('button', { name: '确认挂失' }).click();
      await dialog.getByText('已吊销', { exact: true }).first().waitFor();
      await dialog.getByRole('button', { name: '补办', exact: true }).waitFor();
      await screenshot(page, 'loss-1-revoked.png');
    });
  });

  it('补办: after 挂失, confirm the unit → contract → 自取 → 提交 to review', { timeout: JOURNEY_TIMEOUT }, async () => {
    const unit = await certifiedUnit(suite.app);
    // 挂失 itself is the page above's: here the certificate is already revoked keyCompromise.
    await suite.app.certdesk.ca.ca.revoke({ kind: 'applicant', id: unit.applicantId, phone: unit.phone }, unit.serial, 'keyCompromise');
    await withPage(suite, 'reissue', async (page) => {
      const dialog = await artefacts(page, unit);
      await dialog.getByRole('button', { name: '补办', exact: true }).click();
      await page.getByRole('heading', { name: '证书补办' }).waitFor();
      await page.getByRole('button', { name: '确认并企业认证' }).click();
      await acceptContract(page, '本人已同意签署合同');
      await page.getByRole('radio', { name: '否', exact: true }).check();
      await page.getByRole('radio', { name: '自取', exact: true }).check();
      await page.getByRole('button', { name: '下一步', exact: true }).click();
      await page.getByText('补办沿用原证书已核验的资料，无需上传附件', { exact: false }).waitFor();
      await page.getByRole('button', { name: '提交', exact: true }).click();
      await page.waitForURL('**/applications');
      await page.locator('tr', { hasText: '补办' }).getByText('待审核', { exact: true }).waitFor();
      await screenshot(page, 'reissue-1-submitted.png');
    });
  });
});
