/**
 * 证书与电子印章验证 (/verify) in the browser, as a member of the public: no login. A certificate
 * (PEM and DER), its serial typed in, the unit's electronic seal and the signed contract PDF say
 * 有效 with their details; after a 制证员 revokes a certificate it says 已吊销 with the time and
 * reason; a certificate made elsewhere — even one copying our names and serial — says 非本CA签发;
 * a seal with one changed byte is refused with the reason; unknown serials and files not meant for
 * the page get a plain message; with the clock past the end of validity, 已过期.
 * What is verified is made the way production makes it: an application paid for, 签发证书 and
 * 制作电子印章 by a 制证员, the seal's picture confirmed by the applicant.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPem } from '../../src/pki/der.ts';
import { parseCertificate } from '../../src/pki/certificate-info.ts';
import { opensslDir, type OpensslDir } from '../../src/pki/test-openssl.ts';
import { movableClock } from '../support/app.ts';
import { company } from '../support/applicant.ts';
import { browserMissing, screenshot } from '../support/browser.ts';
import type { TestClient } from '../support/http.ts';
import { producerClient } from '../support/production.ts';
import { paidApplication } from '../support/scenario.ts';
import { withPage } from './apply.ts';
import { portalSuite } from './portal.ts';

/** Each test opens the page a few times; two cores shared with the app and the browser are slow. */
const PAGE_TIMEOUT = 120_000;

interface IssuedCertificate {
  serialHex: string;
  notAfter: string;
}

describe.skipIf(browserMissing)('证书与电子印章验证', () => {
  const clock = movableClock();
  const suite = portalSuite({ clock: clock.now });
  let ossl: OpensslDir;
  let applicant: TestClient;
  let producer: TestClient;
  let applicationId: string;
  /** The SM2 certificate the seal is bound to, and a P-256 one that gets revoked. */
  let sm2: { serialHex: string; notAfter: Date; der: Buffer };
  let p256: { serialHex: string; der: Buffer };
  let seal: Buffer;
  let contract: Buffer;

  async function download(path: string): Promise<Buffer> {
    const res = await fetch(suite.app.url + path, { headers: { cookie: applicant.cookie ?? '' } });
    expect(res.status, path).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  }

  async function issue(family: 'sm2' | 'p256') {
    const res = await producer.post<{ certificates: IssuedCertificate[] }>(`/api/production/applications/${applicationId}/certificates`, { mode: 'software', family });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const issued = res.body.certificates[0]!;
    const der = await download(`/api/applications/${applicationId}/certificates/${issued.serialHex}.cer`);
    return { serialHex: issued.serialHex, notAfter: new Date(issued.notAfter), der };
  }

  beforeAll(async () => {
    ossl = await opensslDir();
    const paid = await paidApplication(suite.app, clock);
    applicant = paid.applicant;
    applicationId = paid.id;
    producer = await producerClient(suite.app, clock);
    expect((await producer.post(`/api/production/applications/${applicationId}/start`)).status).toBe(200);
    sm2 = await issue('sm2');
    expect((await applicant.post(`/api/applications/${applicationId}/seal/approve`)).status).toBe(200);
    const made = await producer.post(`/api/production/applications/${applicationId}/seal`);
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    seal = await download(`/api/applications/${applicationId}/seal.esl`);
    p256 = await issue('p256');
    // The applicant signed the contract (本人已同意签署合同) on the way to submitting.
    contract = await download(`/api/applications/${applicationId}/contract.pdf`);
  }, 180_000);

  afterAll(async () => {
    await ossl?.remove();
  });

  /** 上传文件: the file dialog, as a person picks a file in it. */
  async function upload(page: Page, name: string, buffer: Buffer) {
    await page.goto('/verify');
    const chooser = page.waitForEvent('filechooser');
    await page.getByText('选择文件', { exact: true }).click();
    await (await chooser).setFiles({ name, mimeType: 'application/octet-stream', buffer });
  }

  /** 按序列号查询. */
  async function lookUp(page: Page, serial: string) {
    await page.goto('/verify');
    await page.getByRole('tab', { name: '按序列号查询' }).click();
    await page.getByLabel('证书序列号').fill(serial);
    await page.getByRole('button', { name: '查询' }).click();
  }

  /** The verdict shown (验证结果's heading), once the page shows one, and the details as label → value. */
  async function outcome(page: Page) {
    const region = page.getByRole('region', { name: '验证结果' });
    const verdict = (await region.getByRole('heading').first().textContent()) ?? '';
    const details: Record<string, string> = {};
    // Label and value side by side (on a phone they stand in rows of their own: not read here).
    for (const row of await region.getByRole('row').all()) {
      if ((await row.getByRole('rowheader').count()) !== 1 || (await row.getByRole('cell').count()) !== 1) continue;
      details[(await row.getByRole('rowheader').textContent()) ?? ''] = (await row.getByRole('cell').textContent()) ?? '';
    }
    return { verdict, details, text: (await region.textContent()) ?? '' };
  }

  /** What a relying party reads of our certificate: the unit, its code in full (public), serial, validity, issuer. */
  function expectUnitCertificate(details: Record<string, string>, serialHex: string) {
    expect(details).toMatchObject({ 单位名称: company.name, 统一社会信用代码: company.uscc, 序列号: serialHex });
    expect(details['有效期']).toMatch(/（北京时间） 至 .*（北京时间）$/);
    const caName = suite.app.config.caName;
    expect([`${caName} SM2 签发CA`, `${caName} ECC 签发CA`]).toContain(details['颁发者']);
  }

  it('says 有效 for our certificate, uploaded as PEM or DER or looked up by its serial, with the unit and issuer', { timeout: PAGE_TIMEOUT }, async () => {
    await withPage(suite, 'verify-valid', async (page) => {
      await upload(page, 'certificate.pem', Buffer.from(toPem('CERTIFICATE', sm2.der)));
      const pem = await outcome(page);
      expect(pem.verdict).toBe('有效');
      expectUnitCertificate(pem.details, sm2.serialHex);
      expect(pem.text).not.toMatch(/\b(CN|O|serialNumber)=/);
      await screenshot(page, 'verify-certificate-valid.png');

      await upload(page, 'certificate.cer', sm2.der);
      const der = await outcome(page);
      expect(der.verdict).toBe('有效');
      expect(der.details).toEqual(pem.details);

      // Typed as people copy it from a certificate viewer: upper case, in pairs.
      await lookUp(page, sm2.serialHex.toUpperCase().replace(/(..)(?!$)/g, '$1:'));
      const bySerial = await outcome(page);
      expect(bySerial.verdict).toBe('有效');
      expect(bySerial.details).toEqual(pem.details);
      await screenshot(page, 'verify-serial-valid.png');
    });
    // The page is public: people open it on a phone too.
    await withPage(
      suite,
      'verify-valid-phone',
      async (page) => {
        await upload(page, 'certificate.pem', Buffer.from(toPem('CERTIFICATE', sm2.der)));
        expect((await outcome(page)).verdict).toBe('有效');
        await screenshot(page, 'verify-certificate-valid-phone.png');
      },
      { width: 390, height: 844 },
    );
  });

  it('says 有效 for the unit’s seal, and refuses it with one byte changed', { timeout: PAGE_TIMEOUT }, async () => {
    await withPage(suite, 'verify-seal', async (page) => {
      await upload(page, 'seal.esl', seal);
      const good = await outcome(page);
      expect(good.verdict).toBe('有效');
      expect(good.details['印章名称']).toBe(company.name);
      expect(good.details['印章标识']).toMatch(/^CDES\d{8}[0-9A-F]{12}$/);
      expect(good.details['绑定证书']).toBe(`${company.name}，序列号 ${sm2.serialHex}（有效）`);
      await screenshot(page, 'verify-seal-valid.png');

      const tampered = Buffer.from(seal);
      const at = tampered.indexOf(Buffer.from(company.name, 'utf8'));
      expect(at).toBeGreaterThan(0);
      tampered[at + 1]! ^= 0x01;
      await upload(page, 'seal.esl', tampered);
      const bad = await outcome(page);
      expect(bad.verdict).toBe('无效');
      expect(bad.text).toContain('制章者签名验证失败，印章数据可能被篡改');
      // What the changed file claims is shown as a claim, not as fact.
      await page.getByText('以下为文件中自称的信息，未经本机构确认').waitFor();
      await screenshot(page, 'verify-seal-tampered.png');
    });
  });

  it('says 有效 for the signed contract PDF', { timeout: PAGE_TIMEOUT }, async () => {
    await withPage(suite, 'verify-contract', async (page) => {
      await upload(page, 'contract.pdf', contract);
      const signed = await outcome(page);
      expect(signed.verdict).toBe('有效');
      expect(signed.details['签名者']).toContain(suite.app.config.caName);
      expect(signed.details['文档完整性']).toBe('签名后未被修改');
      expect(Object.keys(signed.details)).toEqual(['签名者', '签名时间', '文档完整性', '签名证书序列号', '签名证书有效期', '颁发者']);
      await screenshot(page, 'verify-contract-valid.png');
    });
  });

  it('says 已吊销 with the time and reason once a 制证员 revoked the certificate', { timeout: PAGE_TIMEOUT }, async () => {
    const revoked = await producer.post(`/api/production/certificates/${p256.serialHex}/revoke`, { reason: 'keyCompromise' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    await withPage(suite, 'verify-revoked', async (page) => {
      await upload(page, 'revoked.cer', p256.der);
      const uploaded = await outcome(page);
      expect(uploaded.verdict).toBe('已吊销');
      expectUnitCertificate(uploaded.details, p256.serialHex);
      expect(uploaded.details['吊销原因']).toBe('密钥泄露');
      expect(uploaded.details['吊销时间']).toMatch(/（北京时间）$/);
      await screenshot(page, 'verify-certificate-revoked.png');

      await lookUp(page, p256.serialHex);
      const bySerial = await outcome(page);
      expect(bySerial.verdict).toBe('已吊销');
      expect(bySerial.details).toEqual(uploaded.details);
    });
  });

  it('says 非本CA签发 for a certificate made elsewhere, even one copying our names and a serial of ours', { timeout: PAGE_TIMEOUT }, async () => {
    // A CA of its own (fresh key) under our issuing CA's name, and a certificate for our unit with our serial.
    const ourIssuer = parseCertificate(sm2.der).issuer;
    const newKey = ['-utf8', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await ossl.openssl('req', '-x509', ...newKey, '-keyout', 'ca.key', '-days', '30', '-out', 'ca.pem', '-subj', `/C=CN/O=${ourIssuer.organization}/CN=${ourIssuer.commonName}`);
    await ossl.openssl('req', '-new', ...newKey, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/C=CN/O=${company.name}/CN=${company.name}/serialNumber=${company.uscc}`);
    await ossl.openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', `0x${sm2.serialHex}`, '-days', '30', '-outform', 'DER', '-out', 'leaf.cer');
    const forged = Buffer.from(await ossl.read('leaf.cer'));

    await withPage(suite, 'verify-foreign', async (page) => {
      await upload(page, 'forged.cer', forged);
      const judged = await outcome(page);
      expect(judged.verdict).toBe('非本CA签发');
      expect(judged.text).toContain('该证书不是本机构 CA 签发的');
      await page.getByText('以下为文件中自称的信息，未经本机构确认').waitFor();
      await screenshot(page, 'verify-certificate-foreign.png');
    });
  });

  it('answers an unknown serial and files it cannot read with a plain message', { timeout: PAGE_TIMEOUT }, async () => {
    await withPage(suite, 'verify-bad-input', async (page) => {
      await lookUp(page, '7E57ABCDEF0123456789');
      const unknown = await outcome(page);
      expect(unknown.verdict).toBe('未找到');
      expect(unknown.details['序列号']).toBe('7E57ABCDEF0123456789');
      expect(unknown.text).toContain('本机构没有签发该序列号的证书');
      await screenshot(page, 'verify-serial-unknown.png');

      await lookUp(page, '不是序列号');
      await page.getByText('序列号应为十六进制数字').waitFor();

      await upload(page, 'notes.txt', Buffer.from('这不是证书，只是一段文字。'));
      await page.getByText('无法识别的文件', { exact: false }).waitFor();
      await screenshot(page, 'verify-garbage.png');

      await upload(page, 'empty.cer', Buffer.alloc(0));
      await page.getByText('文件为空').waitFor();
    });
  });

  // Last: the clock moves past the end of validity for the rest of the suite.
  it('says 已过期 once the certificate’s validity has ended, for the certificate, its serial and the seal bound to it', { timeout: PAGE_TIMEOUT }, async () => {
    clock.advance((sm2.notAfter.getTime() - clock.now().getTime()) / 1000 + 86_400);
    await withPage(suite, 'verify-expired', async (page) => {
      await upload(page, 'certificate.cer', sm2.der);
      expect((await outcome(page)).verdict).toBe('已过期');
      await screenshot(page, 'verify-certificate-expired.png');

      await lookUp(page, sm2.serialHex);
      expect((await outcome(page)).verdict).toBe('已过期');

      await upload(page, 'seal.esl', seal);
      const expiredSeal = await outcome(page);
      expect(expiredSeal.verdict).toBe('已过期');
      await screenshot(page, 'verify-seal-expired.png');
    });
  });
});
