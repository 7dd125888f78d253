/**
 * The main pages as three kinds of visitor meet them (issue 17), in one browser and one pass per
 * page: on a 390-px phone (nothing scrolls sideways; 我的申请 shows 状态 and the buttons, 证书与印章
 * its downloads, every wizard step its step title and its form), for assistive technology (axe:
 * no serious or critical violation; one <main>, one <h1>), and under the Content-Security-Policy
 * (no `securitypolicyviolation` in the page or its frames, no CSP error on the console). The
 * pages: the login page, each wizard step of the enterprise path and the 事业单位's last step,
 * 我的申请 with 证书与印章, /verify, and the console's login, queue and review detail; /docs and the
 * development pages under the CSP only. The state is built on the server (scenario.ts and the HTTP
 * helpers), not walked.
 */
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { exampleUnlistedInstitution } from '../../src/providers/registry/fixtures.ts';
import { movableClock, randomPhone } from '../support/app.ts';
import { acceptContract, baseKinds, loggedInApplicant, postDelivery, uploadAll, verifiedDraft } from '../support/applicant.ts';
import { browserMissing, newPage, screenshot } from '../support/browser.ts';
import type { TestClient } from '../support/http.ts';
import { certificateAndSeal, producerClient } from '../support/production.ts';
import { approvedApplication, paidApplication, submittedApplication } from '../support/scenario.ts';
import { newStaffAccount } from '../support/staff.ts';
import { enterConsole, enterPortal, portalSuite } from './portal.ts';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 800 };
const TIMEOUT = 300_000;

/** What one page showed that it should not have. */
type Finding = string;

/** Every CSP violation a page (or a frame in it) reports, and CSP errors on its console. */
async function watchCsp(context: BrowserContext, page: Page, findings: Finding[], where: () => string): Promise<void> {
  await context.exposeBinding('__reportCspViolation', (_source, text: string) => void findings.push(`${where()}: CSP ${text}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __reportCspViolation?: (text: string) => void }).__reportCspViolation;
      report?.(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} in ${e.sourceFile || location.pathname}`);
    });
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) findings.push(`${where()}: console ${message.text()}`);
  });
}

/** axe's serious and critical violations, and the page's landmarks and headings. */
async function accessibility(page: Page, name: string): Promise<Finding[]> {
  // Every rule runs, in the page and its frames; only the violations' nodes are collected (axe's
  // passes and incompletes carry theirs too, which nothing here reads). Legacy mode runs axe.run in
  // the page itself instead of merging per-frame results in a new blank page (a new renderer
  // process, ~0.25 s of CPU per run); it tests same-origin frames only, so a web page from another
  // origin in a frame is a finding of its own. (The browser's own PDF viewer, chrome-extension:, is
  // tested in neither mode.)
  const origin = new URL(page.url()).origin;
  const foreign = page.frames().filter((f) => /^https?:/.test(f.url()) && new URL(f.url()).origin !== origin);
  const result = await new AxeBuilder({ page }).setLegacyMode(true).options({ resultTypes: ['violations'] }).analyze();
  const findings = foreign.map((f) => `${name}: a frame from another origin, which axe does not test here: ${f.url()}`);
  findings.push(...result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${name}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`));
  const mains = await page.locator('main, [role="main"]').count();
  const h1s = await page.locator('h1').count();
  if (mains !== 1) findings.push(`${name}: ${mains} <main> elements`);
  if (h1s !== 1) findings.push(`${name}: ${h1s} <h1> elements`);
  return findings;
}

async function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

interface Visit {
  name: string;
  path: string;
  /** What shows that the page is there, and must be in view on a phone too. */
  ready: (page: Page) => ReturnType<Page['getByText']>;
}

describe.skipIf(browserMissing)('the main pages on a phone, for assistive technology, under the CSP', () => {
  const clock = movableClock();
  const suite = portalSuite({ clock: clock.now });
  const phone = randomPhone();
  let applicant: TestClient;
  /** Drafts standing at each step of the enterprise path, and a 事业单位's at its last. */
  const drafts: Record<string, string> = {};
  let approvedNumber: string;
  let issuedNumber: string;
  let pendingId: string;
  let pendingNumber: string;

  beforeAll(async () => {
    const t = suite.app;
    applicant = await loggedInApplicant(t, phone);
    const saveForm = async (id: string) => {
      const saved = await applicant.request('PUT', `/api/applications/${id}/form`, { projectId: 'nmg-etax', invoice: { wanted: false }, delivery: postDelivery });
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    };
    /** An enterprise draft taken over HTTP through the steps before `step`, so that it stands there. */
    const enterpriseDraftAt = async (step: number) => {
      const { id } = await verifiedDraft(applicant);
      if (step > 1) await acceptContract(applicant, id, 'sign');
      if (step > 2) {
        await uploadAll(applicant, id, baseKinds);
        expect((await applicant.post(`/api/applications/${id}/attachments/complete`)).status).toBe(200);
      }
      if (step > 3) await acceptContract(applicant, id, 'read');
      if (step > 4) await saveForm(id);
      return id;
    };
    for (const [i, step] of ['contract', 'attachments', 'contract_review', 'form', 'project_attachments'].entries()) drafts[step] = await enterpriseDraftAt(i + 1);
    const institution = exampleUnlistedInstitution();
    const atInstitution = (await verifiedDraft(applicant, { orgName: institution.name, uscc: institution.uscc, legalRepresentative: institution.legalRepresentative })).id;
    await acceptContract(applicant, atInstitution, 'sign');
    await saveForm(atInstitution);
    drafts['institution_last'] = atInstitution;

    approvedNumber = (await approvedApplication(t, clock, applicant)).number;
    const issued = await paidApplication(t, clock, { applicant });
    issuedNumber = issued.number;
    const producer = await producerClient(t, clock);
    expect((await producer.post(`/api/production/applications/${issued.id}/start`)).status).toBe(200);
    await certificateAndSeal(producer, applicant, issued.id);
    // For the console's queue: someone else's application waiting for review.
    const other = await loggedInApplicant(t);
    ({ id: pendingId, number: pendingNumber } = await submittedApplication(t, other));
  }, TIMEOUT);

  const wizard: Visit[] = [
    { name: '申请 · 实名认证', path: '/applications/new', ready: (p) => p.getByRole('button', { name: '实名认证', exact: true }) },
    { name: '申请 · 电子合同', path: 'contract', ready: (p) => p.getByText('本人已同意签署合同', { exact: true }) },
    { name: '申请 · 上传附件', path: 'attachments', ready: (p) => p.getByText('营业执照副本扫描件').first() },
    { name: '申请 · 阅读合同', path: 'contract_review', ready: (p) => p.getByText('本人已阅读合同', { exact: true }) },
    { name: '申请 · 申请信息', path: 'form', ready: (p) => p.getByText('证书用途').first() },
    { name: '申请 · 上传附件并提交', path: 'project_attachments', ready: (p) => p.getByRole('button', { name: '提交', exact: true }) },
    { name: '事业单位 · 上传附件并提交', path: 'institution_last', ready: (p) => p.getByRole('link', { name: '下载申请表' }) },
  ];
  const pathOf = (v: Visit) => (v.path.startsWith('/') ? v.path : `/applications/${drafts[v.path]}`);

  for (const [label, viewport] of [
    ['a 390-px phone', PHONE],
    ['a desktop', DESKTOP],
  ] as const) {
    it(`the applicant’s pages on ${label}`, { timeout: TIMEOUT }, async () => {
      const onPhone = viewport === PHONE;
      const findings: Finding[] = [];
      const { context, page } = await newPage(suite.browser, suite.app.url, viewport);
      let where = '';
      await watchCsp(context, page, findings, () => where);
      // axe's rules read the markup, which the phone and the desktop share but for 我的申请 (cards)
      // and the wizard's steps: on the phone axe runs on those, everywhere on the desktop. A run
      // of axe costs seconds of CPU; the layout checks run everywhere on both.
      const look = async (name: string, shot: string, axeOnPhone = false) => {
        where = name;
        if (!onPhone || axeOnPhone) findings.push(...(await accessibility(page, name)));
        const overflow = await sidewaysScroll(page);
        if (overflow > 0) findings.push(`${name}: scrolls sideways by ${overflow} px`);
        await screenshot(page, `${shot}-${onPhone ? 'phone' : 'desktop'}.png`);
      };
      try {
        where = 'login';
        await page.goto('/login');
        await page.getByRole('button', { name: '免密码登录', exact: true }).waitFor();
        // The policy refuses an injected inline script, and the watch sees it.
        await page.evaluate(() => {
          const script = document.createElement('script');
          script.textContent = 'window.__injected = true';
          document.head.append(script);
        });
        // Both ways: the event in the page, the error on the console.
        await expect.poll(() => findings.length).toBe(2);
        expect(findings.some((f) => /^login: CSP script-src/.test(f))).toBe(true);
        expect(findings.some((f) => /^login: console .*Content Security Policy/.test(f))).toBe(true);
        expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
        findings.length = 0;
        if (!onPhone) {
          // axe reports what it should, in the page and in a frame: a button without a name in each.
          await page.evaluate(() => {
            const button = document.createElement('button');
            button.id = 'probe-unnamed';
            const frame = document.createElement('iframe');
            frame.id = 'probe-frame';
            frame.srcdoc = '<main><h1>探针</h1><button></button></main>';
            document.body.append(button, frame);
          });
          await page.frameLocator('#probe-frame').locator('button').waitFor({ state: 'attached' });
          const probed = (await accessibility(page, 'probe')).filter((f) => f.includes('button-name'));
          expect(probed.join('\n')).toMatch(/#probe-unnamed/);
          expect(probed.join('\n')).toMatch(/#probe-frame button/);
          await page.evaluate(() => document.querySelectorAll('#probe-unnamed, #probe-frame').forEach((e) => e.remove()));
        }
        await look('login', 'a11y-login');
        await page.getByRole('button', { name: '免密码登录', exact: true }).click();
        await page.getByPlaceholder('请输入手机号码').waitFor();
        await look('login form', 'a11y-login-form');

        await enterPortal(page, suite.app, phone);
        where = '我的申请';
        // 资料审核通过: 状态, 金额 and 支付 in view, the remittance code beside them.
        const approved = page.locator(onPhone ? '.portal-application-card' : 'tr').filter({ hasText: approvedNumber });
        await approved.getByText('资料审核通过', { exact: true }).waitFor();
        for (const item of [approved.getByRole('button', { name: '支付', exact: true }), approved.getByRole('button', { name: '查看' }), approved.getByText('状态', { exact: true }).or(page.getByRole('columnheader', { name: '状态' }))]) {
          await expect.poll(() => item.first().isVisible()).toBe(true);
          if (onPhone) expect(await item.first().evaluate((e) => e.getBoundingClientRect().right <= window.innerWidth)).toBe(true);
        }
        await look('我的申请', 'a11y-applications', true);

        const issued = page.locator(onPhone ? '.portal-application-card' : 'tr').filter({ hasText: issuedNumber });
        await issued.getByRole('button', { name: '证书与印章' }).click();
        const artefacts = page.getByRole('dialog');
        await artefacts.getByRole('link', { name: '下载电子印章' }).waitFor();
        await artefacts.getByRole('link', { name: /下载证书/ }).first().waitFor();
        for (const item of [artefacts.getByRole('link', { name: '下载电子印章' }), artefacts.getByRole('link', { name: /下载证书/ }).first(), artefacts.getByRole('button', { name: '申请吊销' }).first(), artefacts.getByText('有效', { exact: true }).first()]) {
          expect(await item.isVisible()).toBe(true);
          expect(await item.evaluate((e) => e.getBoundingClientRect().right <= window.innerWidth)).toBe(true);
        }
        await look('证书与印章', 'a11y-artefacts');
        await artefacts.getByRole('button', { name: '关闭' }).first().click();

        for (const step of wizard) {
          where = step.name;
          await page.goto(pathOf(step));
          await step.ready(page).waitFor();
          // The step shown says which it is, in view.
          const title = step.name.split(' · ')[1]!;
          const current = page.locator('.apply-steps .ant-steps-item-process').getByText(title, { exact: true });
          expect(await current.isVisible(), `${step.name}: current step title`).toBe(true);
          expect(await current.evaluate((e) => e.getBoundingClientRect().right <= window.innerWidth)).toBe(true);
          await look(step.name, `a11y-wizard-${step.path.replace(/\W/g, '') || 'new'}`, step.path === '/applications/new');
        }

        where = '/verify';
        await page.goto('/verify');
        await page.getByRole('heading', { name: '证书与电子印章验证' }).waitFor();
        await look('/verify', 'a11y-verify');
      } catch (err) {
        await screenshot(page, `failed-a11y-${onPhone ? 'phone' : 'desktop'}.png`).catch(() => undefined);
        throw err;
      } finally {
        await context.close();
      }
      expect(findings).toEqual([]);
    });
  }

  it('the console’s login, queue and review detail; /docs and the development pages work under the CSP', { timeout: TIMEOUT }, async () => {
    const findings: Finding[] = [];
    const { context, page } = await newPage(suite.browser, suite.app.url, DESKTOP);
    let where = 'console login';
    await watchCsp(context, page, findings, () => where);
    try {
      await page.goto('/console/login');
      await page.getByLabel('用户名').waitFor();
      findings.push(...(await accessibility(page, where)));

      await enterConsole(page, suite.app, await newStaffAccount(suite.app, ['reviewer']));
      where = 'console queue';
      await page.getByPlaceholder('申请单号或单位名称').waitFor();
      await page.getByText(pendingNumber).waitFor();
      findings.push(...(await accessibility(page, where)));
      await screenshot(page, 'a11y-console-queue.png');

      where = 'console review detail';
      await page.goto(`/console/review/${pendingId}`);
      await page.getByRole('button', { name: '审核通过', exact: true }).waitFor();
      findings.push(...(await accessibility(page, where)));
      await screenshot(page, 'a11y-console-review.png');

      // Pages of their own (swagger-ui, the testers' pages): they run, and the policy lets them.
      for (const [path, text] of [
        ['/docs', 'CertDesk API'],
        ['/dev/sms', '模拟短信发件箱'],
        ['/dev/registry', '模拟实名认证库'],
        ['/dev/staff', '演示员工账号'],
      ] as const) {
        where = path;
        await page.goto(path);
        await page.getByText(text).first().waitFor();
      }
    } catch (err) {
      await screenshot(page, 'failed-a11y-console.png').catch(() => undefined);
      throw err;
    } finally {
      await context.close();
    }
    expect(findings).toEqual([]);
  });
});
