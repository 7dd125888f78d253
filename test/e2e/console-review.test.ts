/**
 * The 审核员 in the staff console: first login binds the authenticator (secret read from the
 * enrolment QR code's otpauth URI), the queue shows the submitted application, 审核不通过 returns
 * 企业印章 with a reason, the application leaves the queue and the applicant sees 待修改 with it.
 */
import { describe, expect, it } from 'vitest';
import { loggedInApplicant } from '../support/applicant.ts';
import { browserMissing, newPage, screenshot } from '../support/browser.ts';
import { submittedApplication } from '../support/scenario.ts';
import { newStaffAccount, secretOf, STAFF_PASSWORD, totpCode, type PasswordStep } from '../support/staff.ts';
import { portalSuite } from './portal.ts';

describe.skipIf(browserMissing)('员工控制台：审核', () => {
  const suite = portalSuite();
  const app = () => suite.app;

  it('a reviewer returns 企业印章 with a reason; the applicant sees 待修改 with that item', async () => {
    const reviewer = await newStaffAccount(app(), ['reviewer']);
    const applicant = await loggedInApplicant(app());
    const draft = await submittedApplication(app(), applicant);

    const { context, page } = await newPage(suite.browser, app().url);
    try {
      await page.goto('/console/login');
      await page.getByText('数字证书在线受理平台 · 员工控制台').waitFor();
      await page.getByLabel('用户名').fill(reviewer.username);
      await page.getByLabel('密码').fill(STAFF_PASSWORD);
      const loginResponse = page.waitForResponse((r) => r.url().endsWith('/api/staff/login') && r.request().method() === 'POST');
      await page.getByRole('button', { name: '登录', exact: true }).click();
      const step = (await (await loginResponse).json()) as PasswordStep;
      expect(step.next).toBe('enrol');
      if (step.next !== 'enrol') throw new Error('expected enrolment');
      await page.getByText('绑定身份验证器').waitFor();
      await page.getByText('请使用身份验证器（如 Microsoft Authenticator、Google Authenticator）扫描二维码，然后输入显示的6位动态验证码').waitFor();
      await page.getByRole('img', { name: '身份验证器绑定二维码' }).waitFor();
      // The test app runs on the real clock.
      await page.getByLabel('动态验证码').fill(totpCode(secretOf(step.otpauthUrl), new Date()));
      await page.getByRole('button', { name: '绑定并登录', exact: true }).click();

      await page.waitForURL('**/console/review');
      await page.getByText('测试reviewer').waitFor();
      await page.getByText('审核员').first().waitFor();
      // CI's PostgreSQL keeps every earlier run's applications: find this one as a reviewer would.
      await page.getByPlaceholder('申请单号或单位名称').fill(draft.number);
      await page.getByRole('button', { name: '查询' }).click();
      const row = page.getByRole('row').filter({ hasText: draft.number });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('电子税务局');
      await screenshot(page, 'console-queue.png');

      await row.getByRole('link', { name: `审核 ${draft.number}` }).click();
      await page.waitForURL(`**/console/review/${draft.id}`);
      await page.getByText(draft.number).first().waitFor();
      await page.getByRole('img', { name: '企业印章' }).waitFor();
      await screenshot(page, 'console-detail.png');

      // The large viewer with zoom and rotate.
      await page.getByRole('button', { name: '企业印章' }).click();
      await page.getByRole('button', { name: '放大' }).click();
      await page.getByRole('button', { name: '旋转' }).click();
      await screenshot(page, 'console-viewer.png');
      await page.getByRole('button', { name: 'Close' }).or(page.getByRole('button', { name: '关闭' })).first().click();

      await page.getByRole('button', { name: '审核不通过', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('checkbox', { name: '企业印章' }).check();
      await dialog.getByPlaceholder('请填写退回原因').fill('印章模糊，请重新上传');
      await screenshot(page, 'console-return.png');
      await dialog.getByRole('button', { name: '确定' }).click();

      await page.waitForURL('**/console/review');
      await page.getByText('已退回修改').waitFor();
      await page.getByPlaceholder('申请单号或单位名称').fill(draft.number);
      await page.getByRole('button', { name: '查询' }).click();
      await page.locator('.ant-table-placeholder').waitFor();
      expect(await page.getByRole('row').filter({ hasText: draft.number }).count()).toBe(0);
      await screenshot(page, 'console-queue-after.png');
    } finally {
      await context.close();
    }

    const view = await applicant.get<{ status: string; statusLabel: string; returnedItems: { item: string; reason: string }[] }>(
      `/api/applications/${draft.id}`,
    );
    expect(view.status).toBe(200);
    expect(view.body.statusLabel).toBe('待修改');
    expect(view.body.returnedItems).toEqual([expect.objectContaining({ item: 'attachment:org_seal', reason: '印章模糊，请重新上传' })]);
  });
});
