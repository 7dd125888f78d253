/**
 * /api/verify with the certificate files people actually have: PEM as `openssl pkcs12 -nokeys`
 * writes it (Bag Attributes before the block) or with the private key first (`-nodes`), beside
 * plain PEM and DER — but not a binary file that carries one of our certificates as text; and the
 * details a relying party reads (the unit and its 统一社会信用代码, the issuing CA by name), the
 * same whether the certificate is uploaded or its serial typed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPem } from '../../src/pki/der.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { company } from '../support/applicant.ts';
import { TestClient } from '../support/http.ts';

interface VerifyBody {
  verdictLabel: string;
  details: { label: string; value: string }[];
  reasons: string[];
}

const detailsOf = (body: VerifyBody) => Object.fromEntries(body.details.map((d) => [d.label, d.value]));

describe('/api/verify: certificate files', () => {
  let t: TestApp;
  let der: Uint8Array;
  let serialHex: string;
  const anyone = () => new TestClient(t.url);

  beforeAll(async () => {
    t = await startTestApp();
    const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    [der] = (await t.certdesk.ca.ca.issueBatch({ kind: 'system', id: 'test' }, 'p256', [{ spki: new Uint8Array(spki), org: company.name, uscc: company.uscc }])) as [Uint8Array];
    serialHex = (await anyone().upload<VerifyBody>('/api/verify', Buffer.from(der), 'unit.cer')).body.details.find((d) => d.label === '序列号')!.value;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('names the unit, its code and the issuing CA in words, uploaded or looked up by serial', async () => {
    const uploaded = await anyone().upload<VerifyBody>('/api/verify', Buffer.from(der), 'unit.cer');
    expect(uploaded.body.verdictLabel).toBe('有效');
    const details = detailsOf(uploaded.body);
    expect(details).toMatchObject({ 单位名称: company.name, 统一社会信用代码: company.uscc, 颁发者: `${t.config.caName} ECC 签发CA` });
    expect(JSON.stringify(uploaded.body)).not.toMatch(/\b(C|O|CN|serialNumber)=/);

    const bySerial = await anyone().get<VerifyBody>(`/api/verify/serial/${serialHex}`);
    expect(bySerial.body.verdictLabel).toBe('有效');
    expect(detailsOf(bySerial.body)).toEqual(details);
  });

  it('judges the certificate in a DER or PEM file, whatever comes before the PEM block', async () => {
    const pem = toPem('CERTIFICATE', der);
    const bagAttributes = `Bag Attributes\n    localKeyID: 6A 1F 0C 33 9B 5E 21 7D 84 02 C9 4B 3E 71 A0 55 12 9F 6E 0D\nsubject=C=CN, O=${company.name}, CN=${company.name}\nissuer=C=CN, O=${t.config.caName}\n${pem}`;
    const keyFirst = `-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n${pem}`;
    const files: [string, Buffer][] = [
      ['unit.cer', Buffer.from(der)],
      ['plain.pem', Buffer.from(pem)],
      ['pkcs12-nokeys.pem', Buffer.from(bagAttributes)],
      ['pkcs12-nodes.pem', Buffer.from(keyFirst)],
      ['windows.cer', Buffer.from(pem.replace(/\n/g, '\r\n'))],
    ];
    for (const [name, file] of files) {
      const res = await anyone().upload<VerifyBody>('/api/verify', file, name);
      expect(res.status, name).toBe(200);
      expect({ name, verdict: res.body.verdictLabel, reasons: res.body.reasons }).toEqual({ name, verdict: '有效', reasons: [] });
    }
  });

  it('does not read a binary file as the certificate it carries as text', async () => {
    // Shaped like a seal (a DER SEQUENCE), one of our certificates' PEM tucked inside.
    const madeUp = Buffer.concat([Buffer.from([0x30, 0x82, 0x04, 0x00, 0x16, 0x02, 0x45, 0x53, 0x00, 0x01]), Buffer.from(toPem('CERTIFICATE', der))]);
    const res = await anyone().upload<VerifyBody>('/api/verify', madeUp, 'seal.esl');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('无法识别的文件');
  });
});
