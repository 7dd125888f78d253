/**
 * The holder's 续期 in Chromium, found by the words on the page: 证书与印章 → 续期 → 确认并企业认证 →
 * 本人已同意签署合同 → 续期信息 (160 元/年, 在线续期) → 提交 (自动审核: 资料审核通过) → 支付 → 微信支付 →
 * 上传证书请求 (a CSR made with openssl) → 签发证书 → the new certificate and seal downloaded;
 * openssl verifies the certificate up to our root; /verify shows the old one 已续期 and the new one 有效.
 * The state it starts from (a unit holding a certificate 30 days before its end) is built on the server.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, it } from 'vitest';
import { projects } from '../../src/db/schema.ts';
import { movableClock } from '../support/app.ts';
import { browserMissing, screenshot } from '../support/browser.ts';
import { certifiedUnit } from '../support/certified.ts';
import { addSessionCookie, openApplicantSession } from '../support/sessions.ts';
import { JOURNEY_TIMEOUT, acceptContract, listRow, withPage } from './apply.ts';
import { portalSuite } from './portal.ts';

const clock = movableClock(new Date('2026-02-01T02:00:00Z'));

function opensslIn(dir: string, ...args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8' });
}

describe.skipIf(browserMissing !== undefined)('续期 in the browser', () => {
  const suite = portalSuite({ clock: clock.now });

  it('证书与印章 → 续期 → 提交 → 微信支付 → 上传证书请求 → downloads; /verify shows the lineage', { timeout: JOURNEY_TIMEOUT }, async () => {
    const t = suite.app;
    await t.certdesk.database.db.update(projects).set({ renewalAutoReview: true }).where(eq(projects.id, 'nmg-etax'));
    try {
      const unit = await certifiedUnit(t, { family: 'sm2' });
      clock.advance((unit.notAfter.getTime() - 30 * 86_400_000 - clock.now().getTime()) / 1000);
      const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp(path.join(tmpdir(), 'certdesk-renewal-')));
      opensslIn(dir, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'key.pem');
      opensslIn(dir, 'req', '-new', '-key', 'key.pem', '-sm3', '-sigopt', 'distid:1234567812345678', '-subj', '/CN=holder', '-out', 'req.csr');

      await withPage(suite, 'renewal', async (page) => {
        await addSessionCookie(page.context(), t, await openApplicantSession(t, unit.phone));
        await page.goto('/applications');
        const row = listRow(page, unit.number);
        await row.getByText('即将到期', { exact: true }).waitFor();
        await row.getByRole('button', { name: '证书与印章' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByText('剩余 30 天').first().waitFor();
        await screenshot(page, 'renewal-1-artefacts.png');
        await dialog.getByRole('button', { name: '续期', exact: true }).click();

        // 确认单位信息: last time's data, confirmed against the registry.
        await page.getByRole('heading', { name: '证书续期' }).waitFor();
        for (const step of ['确认单位信息', '电子合同', '续期信息', '提交']) await page.locator('.apply-steps').getByText(step, { exact: true }).waitFor();
        await page.getByText(unit.number, { exact: true }).waitFor();
        await screenshot(page, 'renewal-2-confirm.png');
        await page.getByRole('button', { name: '确认并企业认证' }).click();
        await acceptContract(page, '本人已同意签署合同');

        // 续期信息: every year at the renewal price; nothing posted.
        await page.getByLabel('服务年限').click();
        await page.getByTitle('2 年（320.00 元）').click();
        await page.getByRole('radio', { name: '否', exact: true }).check();
        await page.getByRole('radio', { name: /^在线续期/ }).waitFor();
        await screenshot(page, 'renewal-3-form.png');
        await page.getByRole('button', { name: '下一步', exact: true }).click();
        await page.getByText('单位信息未变更，续期无需上传附件，请点击“提交”。').waitFor();
        await page.getByRole('button', { name: '提交', exact: true }).click();
        await page.waitForURL('**/applications');

        // 自动审核: 资料审核通过 at once; 微信支付 through the simulator's payer page.
        const renewal = page.locator('tr', { hasText: '续期' }).filter({ hasText: '资料审核通过' });
        await renewal.getByText('320.00', { exact: false }).waitFor();
        await renewal.getByRole('button', { name: '支付', exact: true }).click();
        const choose = page.getByRole('dialog', { name: '选择支付方式' });
        await choose.getByText('微信支付', { exact: true }).click();
        await choose.getByRole('button', { name: '确认支付', exact: true }).click();
        const qr = page.getByRole('dialog', { name: '微信支付' });
        await qr.getByRole('img', { name: '微信支付二维码' }).waitFor();
        const phonePage = await page.context().newPage();
        await phonePage.goto(t.url + (await qr.getByRole('link').getAttribute('href')));
        await phonePage.getByRole('button', { name: '确认支付' }).click();
        await phonePage.close();
        await qr.getByText('支付成功', { exact: true }).waitFor({ timeout: 20_000 });
        await qr.locator('.ant-modal-footer').getByRole('button', { name: '关闭' }).click();

        // 上传证书请求: the picture is the one approved last time, so nothing waits for 确认印章.
        const paid = page.locator('tr', { hasText: '续期' }).filter({ hasText: '已支付' });
        await paid.getByRole('button', { name: '上传证书请求' }).click();
        const issue = page.getByRole('dialog');
        await issue.getByRole('textbox', { name: '证书请求' }).fill(execFileSync('cat', [path.join(dir, 'req.csr')], { encoding: 'utf8' }));
        await screenshot(page, 'renewal-4-csr.png');
        const [envelope] = await Promise.all([page.waitForEvent('download'), issue.getByRole('button', { name: '签发证书' }).click()]);
        if (!envelope.suggestedFilename().endsWith('.env')) throw new Error(`unexpected download ${envelope.suggestedFilename()}`);
        await issue.getByRole('link', { name: '下载电子印章' }).waitFor();
        await screenshot(page, 'renewal-5-issued.png');
        const [certificate] = await Promise.all([page.waitForEvent('download'), issue.getByRole('link', { name: '下载证书' }).first().click()]);
        const certPath = path.join(dir, 'renewed.cer');
        await certificate.saveAs(certPath);
        await Promise.all([page.waitForEvent('download'), issue.getByRole('link', { name: '下载电子印章' }).click()]);
        await issue.getByRole('button', { name: '关闭' }).first().click();
        await page.locator('tr', { hasText: '续期' }).getByText('已完成', { exact: true }).waitFor();

        // openssl: the certificate chains to our SM2 root.
        const chain = t.certdesk.ca.cas;
        const pem = (der: Uint8Array, label: string) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;
        await writeFile(path.join(dir, 'root.pem'), pem(chain.roots.sm2.certificate, 'CERTIFICATE'));
        await writeFile(path.join(dir, 'issuing.pem'), pem(chain.issuing.sm2.certificate, 'CERTIFICATE'));
        opensslIn(dir, 'x509', '-inform', 'DER', '-in', 'renewed.cer', '-out', 'renewed.pem');
        // SM2 link by link, as the README tells relying parties (openssl 3.0 passes the SM2 ID to one link only);
        // at a time inside the new certificate's validity (it starts where the old one ends).
        const attime = String(Math.floor(unit.notAfter.getTime() / 1000) + 3600);
        const distid = ['-vfyopt', 'distid:1234567812345678', '-attime', attime];
        if (!opensslIn(dir, 'verify', ...distid, '-CAfile', 'root.pem', 'issuing.pem').includes('issuing.pem: OK')) throw new Error('issuing CA');
        const verified = opensslIn(dir, 'verify', ...distid, '-partial_chain', '-CAfile', 'issuing.pem', 'renewed.pem');
        if (!verified.includes('renewed.pem: OK')) throw new Error(verified);
        const renewedSerial = opensslIn(dir, 'x509', '-in', 'renewed.pem', '-noout', '-serial').trim().split('=')[1]!.toLowerCase().replace(/^0+/, '');

        // /verify: the old certificate 已续期, the new one 有效.
        await page.goto('/verify');
        await page.getByText('按序列号查询', { exact: true }).click();
        await page.getByLabel('证书序列号').fill(unit.serial);
        await page.getByRole('button', { name: '查询' }).click();
        await page.getByRole('region', { name: '验证结果' }).getByRole('heading', { name: '已续期' }).waitFor();
        await screenshot(page, 'renewal-6-verify-old.png');
        await page.getByLabel('证书序列号').fill(renewedSerial);
        await page.getByRole('button', { name: '查询' }).click();
        await page.getByRole('region', { name: '验证结果' }).getByRole('heading', { name: '有效' }).waitFor();
      });
    } finally {
      await t.certdesk.database.db.update(projects).set({ renewalAutoReview: false }).where(eq(projects.id, 'nmg-etax'));
    }
  });
});
