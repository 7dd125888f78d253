/**
 * 制证管理 in the browser: a 制证员 logs in (the console opens on 制证队列), finds a paid application
 * by its number, 开始制证, 签发证书, then 邮寄 with EMS and a waybill number; the applicant's list shows 已邮寄
 * with the number, 证书与印章 offers the certificate, and 确认收货 → 已完成.
 * 签发证书 goes through the merged CA module (a 软证书), since 邮寄 needs a valid certificate. A
 * second test plays the CA module's contract in the browser (page.route) to drive the panels:
 * 软证书 with its one-time password, 制作电子印章, 吊销; the applicant's 确认印章 and downloads.
 * A third issues from a USB Key's SM2 CSR through the real CA module: both certificates of the
 * dual pair, 下载加密密钥信封 (the file opens with the USB key's signing key), 吊销 takes both.
 */
import { readFile } from 'node:fs/promises';
import type { Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/pki/certificate-info.ts';
import { fromPem } from '../../src/pki/der.ts';
import { openEnvelopedKey } from '../../src/pki/sm2-envelope.ts';
import { importSm2Pkcs8, sm2Spki } from '../../src/pki/sm2.ts';
import { opensslDir } from '../../src/pki/test-openssl.ts';
import { movableClock, randomPhone } from '../support/app.ts';
import { browserMissing, newPage, screenshot } from '../support/browser.ts';
import { paidApplication, producerClient } from '../support/production.ts';
import { newStaffAccount } from '../support/staff.ts';
import { listRow, WIZARD_TIMEOUT } from './apply.ts';
import { apiSession, enterConsole, enterPortal, portalSuite } from './portal.ts';

describe.skipIf(browserMissing)('制证管理', () => {
  const clock = movableClock();
  const suite = portalSuite({ clock: clock.now });

  it('开始制证 → 邮寄 with a waybill number → the applicant sees 已邮寄 and 确认收货 → 已完成', { timeout: WIZARD_TIMEOUT }, async () => {
    const applicantView = await newPage(suite.browser, suite.app.url);
    const producerView = await newPage(suite.browser, suite.app.url);
    const portal = applicantView.page;
    const console = producerView.page;
    try {
      const phone = await enterPortal(portal, suite.app, randomPhone());
      const applicant = await apiSession(suite.app, clock, phone);
      const { number } = await paidApplication(suite.app, clock, { applicant });
      const producer = await newStaffAccount(suite.app, ['producer'], clock.now());

      await enterConsole(console, suite.app, producer);
      await console.waitForURL('**/console/production');
      await console.getByRole('menuitem', { name: '制证队列' }).waitFor();
      await console.getByRole('tab', { name: '已支付 待制证' }).waitFor();
      // CI's PostgreSQL keeps earlier runs' orders: find this one as a 制证员 would, by its number.
      await console.getByPlaceholder('申请单号或单位名称').fill(number);
      await console.getByRole('button', { name: '查询' }).click();
      const row = console.getByRole('row').filter({ hasText: number });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('邮寄（EMS）');
      await screenshot(console, 'production-queue.png');

      await row.getByRole('link', { name: `办理 ${number}` }).click();
      await console.getByRole('heading', { name: `制证 ${number}` }).waitFor();
      await console.getByText('统一社会信用代码').waitFor();
      await screenshot(console, 'production-detail-paid.png');
      await console.getByRole('button', { name: '开始制证', exact: true }).click();
      await console.locator('.ant-popconfirm').getByRole('button', { name: '确定' }).click();
      await console.getByText('已开始制证').waitFor();
      await console.getByText('制证中', { exact: true }).first().waitFor();
      // 签发证书 through the CA module: an SM2 软证书 — a dual pair in one file, its password shown once.
      await console.getByText('软证书', { exact: true }).click();
      await console.getByRole('button', { name: '签发证书' }).click();
      const once = console.getByRole('dialog');
      await once.getByText('证书保护密码只显示这一次', { exact: false }).waitFor();
      await once.getByText('单位签名证书（SM2）').waitFor();
      await once.getByText('单位加密证书（SM2）').waitFor();
      await once.getByText('证书文件内含 SM2 双证书', { exact: false }).waitFor();
      await screenshot(console, 'production-p12-real.png');
      await once.getByRole('button', { name: '我已保存密码和证书文件' }).click();
      await console.getByText('有效', { exact: true }).first().waitFor();
      expect(await console.getByText('有效', { exact: true }).count()).toBe(2);

      await console.getByLabel('运单号').fill('EA123456789CN');
      await screenshot(console, 'production-detail-in-production.png');
      await console.getByRole('button', { name: '确认邮寄' }).click();
      await console.getByText('已邮寄，已短信通知申请人').waitFor();
      await console.getByText('已邮寄', { exact: true }).first().waitFor();
      await console.getByText('等待申请人确认收货', { exact: false }).waitFor();
      await screenshot(console, 'production-detail-shipped.png');

      await portal.goto('/applications');
      const mine = listRow(portal, number);
      await mine.getByText('已邮寄', { exact: true }).waitFor();
      await mine.getByText('EMS 运单号：EA123456789CN').waitFor();
      await screenshot(portal, 'portal-shipped.png');

      await mine.getByRole('button', { name: '证书与印章' }).click();
      // Both certificates of the 软证书 issued above are there to download; the seal is not made in this test.
      const downloads = portal.getByRole('dialog');
      await downloads.getByText('单位签名证书（SM2）').waitFor();
      await downloads.getByText('单位加密证书（SM2）').waitFor();
      await downloads.getByText('SM2 双证书中的加密证书', { exact: false }).waitFor();
      expect(await downloads.getByRole('link', { name: '下载证书' }).count()).toBe(2);
      await screenshot(portal, 'portal-artefacts.png');
      await portal.getByRole('dialog').getByRole('button', { name: '关闭' }).first().click();

      await mine.getByRole('button', { name: '确认收货' }).click();
      await portal.locator('.ant-popconfirm').getByRole('button', { name: '确认收货' }).click();
      await portal.getByText(`申请${number}已确认收货`).waitFor();
      await mine.getByText('已完成', { exact: true }).waitFor();
      expect(await mine.getByRole('button', { name: '确认收货' }).count()).toBe(0);
      await screenshot(portal, 'portal-completed.png');
    } catch (err) {
      await screenshot(console, 'failed-production-console.png').catch(() => undefined);
      await screenshot(portal, 'failed-production-portal.png').catch(() => undefined);
      throw err;
    } finally {
      await applicantView.context.close();
      await producerView.context.close();
    }
  });

  it('drives 签发证书, 电子印章 and 吊销 against the CA module’s contract; the applicant confirms the seal', { timeout: WIZARD_TIMEOUT }, async () => {
    const applicantView = await newPage(suite.browser, suite.app.url);
    const producerView = await newPage(suite.browser, suite.app.url);
    const portal = applicantView.page;
    const console = producerView.page;
    try {
      const phone = await enterPortal(portal, suite.app, randomPhone());
      const applicant = await apiSession(suite.app, clock, phone);
      const { id, number } = await paidApplication(suite.app, clock, { applicant });
      expect((await (await producerClient(suite.app, clock)).post(`/api/production/applications/${id}/start`)).status).toBe(200);

      // The CA module, as its contract says it answers.
      const seal = { esID: 'ES-2026-0001', name: '内蒙古草原云数据科技有限公司', createdAt: clock.now().toISOString(), validEnd: '2027-11-26T00:00:00Z', pictureUrl: sealSvg };
      const certificate = {
        serialHex: '5F3A9C0D12E4',
        family: 'sm2',
        familyLabel: 'SM2',
        profile: 'org_signing',
        profileLabel: '单位签名证书',
        subject: 'CN=内蒙古草原云数据科技有限公司',
        notBefore: clock.now().toISOString(),
        notAfter: '2027-11-26T00:00:00Z',
        status: 'valid',
        statusLabel: '有效',
        usbKeySerial: null,
      };
      const state = { certificates: [] as (typeof certificate)[], seal: null as typeof seal | null, sealApproval: null as { approvedAt: string } | null };
      const json = (route: Route, body: unknown) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
      await console.route(`**/api/production/applications/${id}/artefacts`, (route) => json(route, state));
      await portal.route(`**/api/applications/${id}/artefacts`, (route) => json(route, state));
      await console.route(`**/api/production/applications/${id}/certificates`, (route) => {
        state.certificates = [certificate];
        return json(route, { certificates: [certificate], p12: { base64: Buffer.from('p12').toString('base64'), password: 'Qx7m-Kp2v-9TzR', fileName: `${number}.p12` } });
      });
      await console.route(`**/api/production/applications/${id}/seal`, (route) => {
        state.seal = seal;
        return json(route, { seal });
      });
      await console.route(`**/api/production/certificates/${certificate.serialHex}/revoke`, (route) => {
        state.certificates = [{ ...certificate, status: 'revoked', statusLabel: '已吊销' }];
        return json(route, {});
      });
      await portal.route(`**/api/applications/${id}/seal/approve`, (route) => {
        state.sealApproval = { approvedAt: clock.now().toISOString() };
        return json(route, state.sealApproval);
      });
      await portal.route(`**/api/applications/${id}/seal/preview.png`, (route) => route.fulfill({ status: 200, contentType: 'image/svg+xml', body: decodeURIComponent(sealSvg.split(',')[1]!) }));

      const producer = await newStaffAccount(suite.app, ['producer'], clock.now());
      await enterConsole(console, suite.app, producer);
      await console.waitForURL('**/console/production');
      await console.goto(`/console/production/${id}`);
      await console.getByRole('heading', { name: `制证 ${number}` }).waitFor();
      await console.getByText('尚未签发证书').waitFor();
      await console.getByText('软证书', { exact: true }).click();
      await console.getByText('SM2（国密）').click();
      await console.getByRole('button', { name: '签发证书' }).click();
      const dialog = console.getByRole('dialog');
      await dialog.getByText('软证书已生成').waitFor();
      await dialog.getByText('证书保护密码只显示这一次', { exact: false }).waitFor();
      await dialog.getByText('Qx7m-Kp2v-9TzR').waitFor();
      await dialog.getByRole('button', { name: `下载证书文件（${number}.p12）` }).waitFor();
      await screenshot(console, 'production-p12-once.png');
      await dialog.getByRole('button', { name: '我已保存密码和证书文件' }).click();
      await console.getByText('5F3A9C0D12E4').waitFor();
      expect(await console.getByText('Qx7m-Kp2v-9TzR').count()).toBe(0);

      await console.getByRole('button', { name: '制作电子印章' }).click();
      await console.getByText('申请人尚未确认印章样式').waitFor();
      await screenshot(console, 'production-ca-panels.png');

      // The applicant sees the seal, confirms it, and may download it and the certificate.
      await portal.goto('/applications');
      const mine = listRow(portal, number);
      await mine.getByText('制证中', { exact: true }).waitFor();
      await mine.getByRole('button', { name: '证书与印章' }).click();
      const artefacts = portal.getByRole('dialog');
      await artefacts.getByRole('img', { name: '电子印章预览' }).waitFor();
      await artefacts.getByText('单位签名证书（SM2）').waitFor();
      await screenshot(portal, 'portal-seal-preview.png');
      await artefacts.getByRole('button', { name: '确认印章' }).click();
      await portal.locator('.ant-popconfirm').getByRole('button', { name: '确认印章' }).click();
      await artefacts.getByText('已确认印章', { exact: false }).waitFor();
      expect(await artefacts.getByRole('link', { name: '下载电子印章' }).getAttribute('href')).toBe(`/api/applications/${id}/seal.esl`);
      expect(await artefacts.getByRole('link', { name: '下载证书' }).getAttribute('href')).toBe(`/api/applications/${id}/certificates/5F3A9C0D12E4.cer`);
      await screenshot(portal, 'portal-seal-approved.png');

      await console.reload();
      await console.getByText('申请人已确认印章', { exact: false }).waitFor();
      await console.getByRole('button', { name: '吊销 5F3A9C0D12E4' }).click();
      const revoke = console.getByRole('dialog');
      await revoke.getByRole('combobox', { name: '吊销原因' }).click();
      await console.getByTitle('密钥泄露').click();
      await revoke.getByRole('button', { name: '确定吊销' }).click();
      await console.getByText('证书已吊销', { exact: true }).waitFor();
      await console.getByText('已吊销', { exact: true }).waitFor();
    } catch (err) {
      await screenshot(console, 'failed-production-ca-console.png').catch(() => undefined);
      await screenshot(portal, 'failed-production-ca-portal.png').catch(() => undefined);
      throw err;
    } finally {
      await applicantView.context.close();
      await producerView.context.close();
    }
  });
  it('签发证书 from a USB Key’s SM2 CSR gives the dual pair and 下载加密密钥信封; 吊销 takes both', { timeout: WIZARD_TIMEOUT }, async () => {
    const producerView = await newPage(suite.browser, suite.app.url);
    const console = producerView.page;
    const tmp = await opensslDir();
    try {
      const { id, number } = await paidApplication(suite.app, clock);
      expect((await (await producerClient(suite.app, clock)).post(`/api/production/applications/${id}/start`)).status).toBe(200);
      // The USB key makes its signing key pair and CSR; openssl plays the USB key.
      await tmp.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'usb.key');
      await tmp.openssl('req', '-new', '-key', 'usb.key', '-sm3', '-sigopt', 'distid:1234567812345678', '-subj', '/CN=USB Key', '-out', 'usb.csr');

      const producer = await newStaffAccount(suite.app, ['producer'], clock.now());
      await enterConsole(console, suite.app, producer);
      await console.waitForURL('**/console/production');
      await console.goto(`/console/production/${id}`);
      await console.getByRole('heading', { name: `制证 ${number}` }).waitFor();
      await console.getByLabel('证书请求（CSR）').fill(Buffer.from(await tmp.read('usb.csr')).toString('utf8'));
      await console.getByLabel('USB Key 序列号').fill('UK-2026-0042');
      await console.getByRole('button', { name: '签发证书' }).click();
      const dialog = console.getByRole('dialog');
      await dialog.getByText('SM2 双证书已签发').waitFor();
      await dialog.getByText('单位签名证书（SM2）').waitFor();
      await dialog.getByText('单位加密证书（SM2）').waitFor();
      await dialog.getByText('UK-2026-0042', { exact: false }).waitFor();
      await screenshot(console, 'production-envelope-once.png');
      const [download] = await Promise.all([
        console.waitForEvent('download'),
        dialog.getByRole('button', { name: `下载加密密钥信封（${number}-sm2-enc.env）` }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`${number}-sm2-enc.env`);
      const envelope = new Uint8Array(await readFile(await download.path()));
      await dialog.getByRole('button', { name: '我已下载加密密钥信封' }).click();

      // What the producer downloaded opens with the USB key's signing key, to the encryption certificate's key.
      const certificates = await suite.app.certdesk.ca.ca.certificatesOf(id);
      expect(certificates.map((c) => c.profile)).toEqual(['unitSigning', 'unitEncryption']);
      const opened = openEnvelopedKey(importSm2Pkcs8(fromPem(Buffer.from(await tmp.read('usb.key')).toString('utf8'))), envelope);
      expect(Buffer.from(parseCertificate(certificates[1]!.der).spki).equals(Buffer.from(sm2Spki(opened.publicKey)))).toBe(true);

      await console.getByText('有效', { exact: true }).first().waitFor();
      const [signing, encryption] = certificates.map((c) => c.serialHex);
      await console.getByRole('button', { name: `吊销 ${signing}` }).click();
      const revoke = console.getByRole('dialog');
      await revoke.getByText(`另一张证书（序列号 ${encryption}）将一并吊销`, { exact: false }).waitFor();
      await revoke.getByRole('button', { name: '确定吊销' }).click();
      await console.getByText('证书已吊销，同一双证书中的单位加密证书已一并吊销').waitFor();
      await console.getByText('已吊销', { exact: true }).nth(1).waitFor();
      expect(await console.getByText('有效', { exact: true }).count()).toBe(0);
    } catch (err) {
      await screenshot(console, 'failed-production-envelope.png').catch(() => undefined);
      throw err;
    } finally {
      await producerView.context.close();
      await tmp.remove();
    }
  });
});

/** A round red seal, as the CA module's picture would look. */
const sealSvg = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><circle cx="100" cy="100" r="90" fill="none" stroke="#d00" stroke-width="8"/><text x="100" y="118" font-size="56" text-anchor="middle" fill="#d00">★</text></svg>',
)}`;
