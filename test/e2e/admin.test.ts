/**
 * The 管理员 in the staff console: first login binds the authenticator and lands on 员工账户;
 * 新增员工 creates a 审核员 (who is then asked to bind an authenticator), 证书用途 gains a project
 * that requires a second reviewer; the price, contract and SMS pages show their data, their
 * editors preview with sample values and refuse a text with a missing variable. Nothing global
 * (prices, templates) is changed: CI's PostgreSQL is shared by every suite.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { projects, staffAccounts } from '../../src/db/schema.ts';
import * as staffRepo from '../../src/modules/staff/repository.ts';
import { recordFailure } from '../../src/modules/staff/throttle.ts';
import type { TestApp } from '../support/app.ts';
import { browserMissing, newPage, screenshot } from '../support/browser.ts';
import { TestClient } from '../support/http.ts';
import { newStaffAccount, passwordStep, randomUsername, secretOf, STAFF_PASSWORD, totpCode, type PasswordStep } from '../support/staff.ts';
import { portalSuite } from './portal.ts';

async function logInAsNewAdmin(page: Page, username: string) {
  await page.goto('/console/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(STAFF_PASSWORD);
  const loginResponse = page.waitForResponse((r) => r.url().endsWith('/api/staff/login') && r.request().method() === 'POST');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  const step = (await (await loginResponse).json()) as PasswordStep;
  if (step.next !== 'enrol') throw new Error('expected enrolment');
  // The test app runs on the real clock.
  await page.getByLabel('动态验证码').fill(totpCode(secretOf(step.otpauthUrl), new Date()));
  await page.getByRole('button', { name: '绑定并登录', exact: true }).click();
}

describe.skipIf(browserMissing)('员工控制台：系统管理', () => {
  const suite = portalSuite();
  const app = () => suite.app;

  it('an admin creates a 审核员 account and a project that requires a second reviewer', async () => {
    const admin = await newStaffAccount(app(), ['admin']);
    const reviewerName = randomUsername();
    const projectId = `e2e-${randomBytes(4).toString('hex')}`;
    const projectName = `端到端测试项目${projectId.slice(4)}`;

    const { context, page } = await newPage(suite.browser, app().url);
    try {
      await logInAsNewAdmin(page, admin.username);
      // An admin-only account lands on 员工账户.
      await page.waitForURL('**/console/admin/staff');
      await page.getByRole('menuitem', { name: '员工账户' }).waitFor();
      // CI's PostgreSQL keeps every run's accounts: find ours as an administrator would.
      await page.getByPlaceholder('用户名或姓名').fill(admin.username);
      await page.getByRole('row').filter({ hasText: admin.username }).waitFor();
      await screenshot(page, 'admin-staff.png');

      // 新增员工: the form speaks Chinese before the server is asked anything.
      await page.getByRole('button', { name: '新增员工' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: '保存' }).click();
      await dialog.getByText('请输入用户名').waitFor();
      await dialog.getByText('请输入初始密码').waitFor();
      await dialog.getByLabel('用户名').fill(reviewerName);
      await dialog.getByLabel('姓名').fill('李审核');
      await dialog.getByLabel('初始密码').fill('short1');
      await dialog.getByText('密码至少10位，且须同时包含字母和数字').waitFor();
      await dialog.getByLabel('初始密码').fill('Reviewer-2026-pass');
      await expect(dialog.getByRole('checkbox', { name: '审核员' }).isChecked()).resolves.toBe(true);
      await screenshot(page, 'admin-staff-new.png');
      await dialog.getByRole('button', { name: '保存' }).click();
      await page.getByText('已新增员工 李审核').waitFor();
      await page.getByPlaceholder('用户名或姓名').fill(reviewerName);
      const row = page.getByRole('row').filter({ hasText: reviewerName });
      await row.getByText('审核员').waitFor();
      await row.getByText('从未登录').waitFor();
      await row.getByText('待绑定动态验证码').waitFor();
      await page.getByRole('dialog').waitFor({ state: 'hidden' });
      await screenshot(page, 'admin-staff-after.png');

      // 证书用途: a project for 事业单位 with the 申请表 and two reviewers.
      await page.getByRole('menuitem', { name: '证书用途' }).click();
      await page.waitForURL('**/console/admin/projects');
      await page.getByRole('row').filter({ hasText: '内蒙古自治区电子税务局' }).waitFor();
      await page.getByRole('button', { name: '新增证书用途' }).click();
      const form = page.getByRole('dialog');
      await form.getByLabel('项目标识').fill('Not A Slug');
      await form.getByText('项目标识须为2至40位，以小写字母开头，只含小写字母、数字和连字符').waitFor();
      await form.getByLabel('项目标识').fill(projectId);
      await form.getByLabel('项目名称').fill(projectName);
      await form.getByLabel('项目说明').fill('端到端测试：双人审核');
      await form.getByRole('group', { name: '事业单位附加附件' }).getByRole('checkbox', { name: '申请表（加盖单位公章）' }).check();
      await form.getByRole('switch', { name: '双人审核' }).click();
      await screenshot(page, 'admin-project-new.png');
      await form.getByRole('button', { name: '保存' }).click();
      await page.getByText('已新增证书用途').waitFor();
      const projectRow = page.getByRole('row').filter({ hasText: projectName });
      await projectRow.getByText('申请表（加盖单位公章）').waitFor();
      await expect(projectRow.textContent()).resolves.toContain('是');
      await page.getByRole('dialog').waitFor({ state: 'hidden' });
      await screenshot(page, 'admin-projects.png');

      // 价格: the prices in force and the history; nothing is changed here.
      await page.getByRole('menuitem', { name: '价格' }).click();
      await page.getByText('首次申请 · 当前价格').waitFor();
      await page.getByRole('button', { name: '新增价格' }).click();
      await page.getByRole('dialog').getByLabel('金额（元）').fill('12.345');
      await page.getByRole('dialog').getByText('请输入最多两位小数的金额，如 195.00').waitFor();
      await screenshot(page, 'admin-price-new.png');
      await page.getByRole('dialog').getByRole('button', { name: '取消' }).click();
      await page.getByRole('dialog').waitFor({ state: 'hidden' });
      await screenshot(page, 'admin-prices.png');

      // 合同模板: the editor previews with sample values; cancelled, so the contract stays as it is.
      await page.getByRole('menuitem', { name: '合同模板' }).click();
      await page.getByText('当前版本').first().waitFor();
      await screenshot(page, 'admin-contracts.png');
      await page.getByRole('button', { name: '新增版本' }).click();
      const editor = page.getByRole('dialog');
      await editor.getByLabel('预览（示例值）').getByText('甲方（用户）：内蒙古示例科技有限公司').waitFor();
      await screenshot(page, 'admin-contract-editor.png');
      await editor.getByRole('button', { name: '取消' }).click();

      // 短信模板: a text without its variable is refused before it is sent.
      await page.getByRole('menuitem', { name: '短信模板' }).click();
      await page.getByRole('row').filter({ hasText: '登录验证码' }).waitFor();
      await screenshot(page, 'admin-sms.png');
      await page.getByRole('button', { name: '新增版本 登录验证码' }).click();
      const sms = page.getByRole('dialog');
      await sms.getByLabel('正文').fill('您的验证码已发送，请查收。');
      await sms.getByText('短信内容缺少变量：${code}').waitFor();
      await screenshot(page, 'admin-sms-editor.png');
      await sms.getByRole('button', { name: '取消' }).click();
    } finally {
      await context.close();
    }

    // The new 审核员 exists with that role and binds an authenticator at the first login.
    const db = app().certdesk.database.db;
    const [account] = await db.select().from(staffAccounts).where(eq(staffAccounts.username, reviewerName));
    expect(account).toMatchObject({ displayName: '李审核', roles: ['reviewer'] });
    const first = await passwordStep(new TestClient(app().url), reviewerName, 'Reviewer-2026-pass');
    expect(first.body.next).toBe('enrol');
    const [project] = await db.select().from(projects).where(eq(projects.id, projectId));
    expect(project).toMatchObject({ name: projectName, requiresSecondReview: true, active: true, extraAttachments: { enterprise: [], institution: ['application_form'] } });
    // Withdrawn again, so that the shared database's portal does not offer a test project.
    await db.update(projects).set({ active: false }).where(eq(projects.id, projectId));
  });

  it('shows the 管理员 a notice of sustained failed logins on an account until 知悉', async () => {
    const target = await newStaffAccount(app(), ['finance']);
    // Twenty failures from twenty unfamiliar addresses, recorded as the login records them (the
    // delays between them are staff-throttle.test.ts's; a browser would wait minutes here).
    await recordStrangerFailures(app(), target.id, 20);
    const admin = await newStaffAccount(app(), ['admin']);
    const { context, page } = await newPage(suite.browser, app().url);
    try {
      await logInAsNewAdmin(page, admin.username);
      await page.waitForURL('**/console/admin/staff');
      const notice = page.getByRole('alert').filter({ hasText: `账户 ${target.username}` });
      await notice.getByText('正遭受持续的登录尝试').waitFor();
      await notice.getByText(/来自 20 个陌生地址的 20 次登录失败/).waitFor();
      await screenshot(page, 'admin-login-alert.png');
      await notice.getByRole('button', { name: '知悉' }).click();
      await page.getByText('已知悉').waitFor();
      await notice.waitFor({ state: 'detached' });
    } finally {
      await context.close();
    }
  });
});

async function recordStrangerFailures(t: TestApp, accountId: string, count: number) {
  const db = t.certdesk.database.db;
  for (let i = 1; i <= count; i++) {
    await db.transaction(async (tx) => {
      const row = await staffRepo.lockById(tx, accountId);
      await recordFailure(tx, row!, { kind: 'stranger', address: `203.0.113.${i}` }, new Date());
    });
  }
}
