/**
 * 制证管理 in the browser, beyond the journeys (journey-*.test.ts walk 软证书, 制作电子印章, 邮寄 and
 * 通知自取): 签发证书 from a USB Key's SM2 CSR — both certificates of the dual pair, 下载加密密钥信封
 * (the file opens with the USB key's signing key); 制作电子印章 waits for the applicant's 确认印章;
 * 吊销 with a reason takes both certificates of the pair.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/pki/certificate-info.ts';
import { fromPem } from '../../src/pki/der.ts';
import { openEnvelopedKey } from '../../src/pki/sm2-envelope.ts';
import { importSm2Pkcs8, sm2Spki } from '../../src/pki/sm2.ts';
import { opensslDir } from '../../src/pki/test-openssl.ts';
import { movableClock } from '../support/app.ts';
import { browserMissing, newPage, screenshot } from '../support/browser.ts';
import { producerClient } from '../support/production.ts';
import { paidApplication } from '../support/scenario.ts';
import { newStaffAccount } from '../support/staff.ts';
import { WIZARD_TIMEOUT } from './apply.ts';
import { enterConsole, portalSuite } from './portal.ts';

describe.skipIf(browserMissing)('制证管理', () => {
  const clock = movableClock();
  const suite = portalSuite({ clock: clock.now });

  it('签发证书 from a USB Key’s SM2 CSR gives the dual pair and 下载加密密钥信封; 吊销 takes both', { timeout: WIZARD_TIMEOUT }, async () => {
    const producerView = await newPage(suite.browser, suite.app.url);
    const console = producerView.page;
    const tmp = await opensslDir();
    try {
      const { applicant, id, number } = await paidApplication(suite.app, clock);
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
      const encryptionRow = await suite.app.certdesk.ca.ca.certificate(certificates[1]!.serialHex);
      expect(Buffer.from(parseCertificate(encryptionRow!.der).spki).equals(Buffer.from(sm2Spki(opened.publicKey)))).toBe(true);

      await console.getByText('有效', { exact: true }).first().waitFor();
      // 制作电子印章 waits for the applicant's 确认印章, and says so.
      await console.getByText('等待申请人确认印章', { exact: true }).first().waitFor();
      expect(await console.getByRole('button', { name: '制作电子印章' }).isDisabled()).toBe(true);
      await console.getByRole('img', { name: '申请人待确认的电子印章图样' }).waitFor();
      await screenshot(console, 'production-seal-awaited.png');
      expect((await applicant.post(`/api/applications/${id}/seal/approve`)).status).toBe(200);
      await console.reload();
      await console.getByText('申请人已确认印章', { exact: false }).waitFor();
      await console.getByRole('button', { name: '制作电子印章' }).click();
      await console.getByText('电子印章已制作').waitFor();

      const [signing, encryption] = certificates.map((c) => c.serialHex);
      await console.getByRole('button', { name: `吊销 ${signing}` }).click();
      const revoke = console.getByRole('dialog');
      await revoke.getByRole('combobox', { name: '吊销原因' }).click();
      await console.getByTitle('密钥泄露').click();
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
