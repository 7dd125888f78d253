import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caInit, issueCertificate } from '../pki/certificate.ts';
import { generateKey } from '../pki/keys.ts';
import { profiles, unitSubject, validityEnd } from '../pki/profiles.ts';
import { generateP256 } from '../pki/signer.ts';
import { makeOpensslCa, type IssuedByOpenssl, type OpensslCa } from '../pki/test-openssl.ts';
import { renderSealPng } from './image.ts';
import { makeSeal, verifySeal, type MakeSealInput } from './ses.ts';
import { SesSeal, SesSealInfo } from './ses-asn1.ts';

describe('GB/T 38540 SESeal (P-256 maker certificate from openssl)', () => {
  let ca: OpensslCa;
  let maker: IssuedByOpenssl;
  let input: MakeSealInput;
  // Every date is taken from the maker certificate openssl just made, never from the wall clock.
  let now: Date;
  const days = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

  beforeAll(async () => {
    ca = await makeOpensslCa();
    maker = await ca.issue('maker', '/CN=CertDesk 制章系统/O=CertDesk', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');
    const issued = AsnConvert.parse(maker.der, Certificate).tbsCertificate.validity.notBefore.getTime();
    now = days(issued, 1);
    input = {
      esID: '11010800000001',
      name: '北京市海淀区示例科技有限公司',
      boundCertificates: [ca.leafDer],
      // A small picture keeps the every-byte tampering sweep quick.
      picturePng: renderSealPng({ name: '北京市海淀区示例科技有限公司', sizePx: 48 }),
      widthMm: 40,
      heightMm: 40,
      validStart: issued,
      validEnd: days(issued, 200),
      createDate: issued,
      maker: { signer: maker.signer, certificate: maker.der },
    };
  });
  afterAll(async () => ca.cleanup());

  const check = (der: Uint8Array) => verifySeal(der, { trustedMakerCertificates: [maker.der], now });

  it('verifies a seal it made and reads back every field', async () => {
    const result = check(makeSeal(input));
    expect(result.reasons).toEqual([]);
    expect(result.ok).toBe(true);
    const seal = result.seal!;
    expect(seal.esID).toBe(input.esID);
    expect(seal.name).toBe(input.name);
    expect(seal.vendorId).toBe('CertDesk');
    expect(seal.validity.validEnd.getTime()).toBe(input.validEnd.getTime());
    expect(seal.picture).toMatchObject({ type: 'PNG', widthMm: 40, heightMm: 40 });
    expect(Buffer.from(seal.picture.data).equals(Buffer.from(input.picturePng))).toBe(true);
    expect(seal.boundCertificates.map((c) => Buffer.from(c).toString('base64'))).toEqual([Buffer.from(ca.leafDer).toString('base64')]);
    expect(Buffer.from(seal.makerCertificate).equals(Buffer.from(maker.der))).toBe(true);
    expect(seal.signatureAlgorithm).toBe('1.2.840.10045.4.3.2');
  });

  it('is DER that openssl asn1parse reads, with the header ES / 4', async () => {
    const der = makeSeal(input);
    await ca.tmp.write('seal.der', der);
    const dump = await ca.run('asn1parse', '-inform', 'DER', '-in', 'seal.der', '-i');
    expect(dump).toContain('IA5STRING         :ES');
    expect(dump).toContain('INTEGER           :04');
    expect(dump).toMatch(/GENERALIZEDTIME\s+:\d{14}Z/);
    expect(dump).toContain('OBJECT            :ecdsa-with-SHA256');
  });

  it('rejects the seal when any single byte is changed', async () => {
    const der = makeSeal(input);
    const accepted: number[] = [];
    // Every byte of the structure's head and tail (header, property, certificates, signature), and
    // every 7th byte of the picture between: each verification checks a signature, and the whole
    // file one by one took a minute under the full suite's load.
    const positions = [...Array(der.length).keys()].filter((i) => i < 1024 || i >= der.length - 1024 || i % 7 === 0);
    for (const i of positions) {
      const tampered = der.slice();
      tampered[i] = (tampered[i] ?? 0) ^ 0xff;
      if (check(tampered).ok) accepted.push(i);
    }
    expect(accepted).toEqual([]);
  });

  it('rejects a seal whose picture was swapped, the signature kept', async () => {
    const der = makeSeal(input);
    const outer = AsnConvert.parse(der, SesSeal);
    const info = AsnConvert.parse(outer.eSealInfo, SesSealInfo);
    const other = renderSealPng({ name: '另一家公司', sizePx: 48 });
    info.picture.data = other.buffer.slice(other.byteOffset, other.byteOffset + other.byteLength) as ArrayBuffer;
    outer.eSealInfo = AsnConvert.serialize(info);
    const swapped = new Uint8Array(AsnConvert.serialize(outer));
    const result = check(swapped);
    expect(result.ok).toBe(false);
    expect(result.reasons).toContain('制章者签名验证失败，印章数据可能被篡改');
    expect(result.seal?.name).toBe(input.name);
  });

  it('rejects a seal signed by another key', async () => {
    const der = makeSeal(input);
    const outer = AsnConvert.parse(der, SesSeal);
    const intruder = generateP256().signer;
    const signature = intruder.sign(new Uint8Array(outer.eSealInfo));
    outer.signedValue = signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.byteLength) as ArrayBuffer;
    const result = check(new Uint8Array(AsnConvert.serialize(outer)));
    expect(result.ok).toBe(false);
    expect(result.reasons).toContain('制章者签名验证失败，印章数据可能被篡改');
  });

  it('rejects a seal made by a maker we do not trust, even when its own signature holds', async () => {
    const rogue = await ca.issue('rogue', '/CN=Rogue Maker', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n');
    const der = makeSeal({ ...input, maker: { signer: rogue.signer, certificate: rogue.der } });
    const result = check(der);
    expect(result.ok).toBe(false);
    expect(result.reasons).toEqual(['制章者证书不受信任（非本机构制作的印章）']);
    expect(verifySeal(der, { now }).ok).toBe(true);
  });

  it('says when a seal is outside its validity', async () => {
    const der = makeSeal(input);
    expect(verifySeal(der, { now: days(input.validEnd, 1) }).reasons).toContain('印章已过期');
    expect(verifySeal(der, { now: days(input.validStart, -1) }).reasons).toContain('印章尚未生效');
  });

  it('refuses to make seals that could not verify', async () => {
    expect(() => makeSeal({ ...input, maker: { signer: generateP256().signer, certificate: maker.der } })).toThrow('不匹配');
    expect(() => makeSeal({ ...input, boundCertificates: [] })).toThrow('至少一张');
    expect(() => makeSeal({ ...input, picturePng: Uint8Array.of(1, 2, 3) })).toThrow('PNG');
    expect(() => makeSeal({ ...input, esID: '印章1' })).toThrow('ASCII');
    expect(verifySeal(Uint8Array.of(0x30, 0x00), { now }).reasons).toEqual(['电子印章数据格式错误，无法解析']);
  });
});

describe('GB/T 38540 SESeal signed with SM2', () => {
  const now = new Date(Date.UTC(2026, 0, 15, 8, 0, 0));
  const ca = caInit({ family: 'sm2', baseUrl: 'http://127.0.0.1:8080', now });
  const issuer = { signer: ca.issuing.key.signer, certificate: ca.issuing.certificate, caName: ca.issuing.caName };
  const makerKey = generateKey('sm2');
  const makerCert = issueCertificate({
    profile: profiles.sealMaker,
    subject: { country: 'CN', organization: 'CertDesk', commonName: 'CertDesk 电子印章制章系统' },
    subjectSpki: makerKey.signer.spki,
    issuer,
    notBefore: now,
    notAfter: validityEnd(profiles.sealMaker, now),
    baseUrl: 'http://127.0.0.1:8080',
  });
  const unitCert = issueCertificate({
    profile: profiles.unitSigning,
    subject: unitSubject('北京测试科技有限公司', '91110108MA01ABCD2X'),
    subjectSpki: generateKey('sm2').signer.spki,
    issuer,
    notBefore: now,
    notAfter: validityEnd(profiles.unitSigning, now),
    baseUrl: 'http://127.0.0.1:8080',
  });
  const input: MakeSealInput = {
    esID: '1101080000000000001',
    name: '北京测试科技有限公司',
    boundCertificates: [unitCert],
    picturePng: renderSealPng({ name: '北京测试科技有限公司', code: '1101080000001', sizePx: 96 }),
    widthMm: 40,
    heightMm: 40,
    validStart: now,
    validEnd: new Date(Date.UTC(2027, 0, 15)),
    createDate: now,
    maker: { signer: makerKey.signer, certificate: makerCert },
  };
  const later = new Date(Date.UTC(2026, 1, 1));

  it('verifies with SM2-with-SM3 (1.2.156.10197.1.501) and pki\'s verifier', async () => {
    const der = makeSeal(input);
    const result = verifySeal(der, { trustedMakerCertificates: [makerCert], now: later });
    expect(result.reasons).toEqual([]);
    expect(result.seal?.signatureAlgorithm).toBe('1.2.156.10197.1.501');
  });

  it('rejects a swapped picture and a signature by another SM2 key', async () => {
    const der = makeSeal(input);
    const outer = AsnConvert.parse(der, SesSeal);
    const info = AsnConvert.parse(outer.eSealInfo, SesSealInfo);
    const other = renderSealPng({ name: '另一家公司', sizePx: 96 });
    info.picture.data = other.buffer.slice(other.byteOffset, other.byteOffset + other.byteLength) as ArrayBuffer;
    const swapped = new SesSeal({ ...outer, eSealInfo: AsnConvert.serialize(info) });
    expect(verifySeal(new Uint8Array(AsnConvert.serialize(swapped)), { trustedMakerCertificates: [makerCert], now: later }).ok).toBe(false);
    const forged = generateKey('sm2').signer.sign(new Uint8Array(outer.eSealInfo));
    const reSigned = new SesSeal({ ...outer, signedValue: forged.buffer.slice(forged.byteOffset, forged.byteOffset + forged.byteLength) as ArrayBuffer });
    const result = verifySeal(new Uint8Array(AsnConvert.serialize(reSigned)), { trustedMakerCertificates: [makerCert], now: later });
    expect(result.reasons).toEqual(['制章者签名验证失败，印章数据可能被篡改']);
  });
});
