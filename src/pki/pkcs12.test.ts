import { AuthenticatedSafe, PFX, SafeContents } from '@peculiar/asn1-pfx';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caInit } from './certificate.ts';
import { toPem } from './der.ts';
import { issueCertificate } from './certificate.ts';
import { sm2PrivateKey } from './keys.ts';
import { issueSoftwareCertificate } from './pkcs12.ts';
import { profiles, unitSubject, validityEnd } from './profiles.ts';
import { generateSm2Key, sm2Spki } from './sm2.ts';
import { opensslDir, type OpensslDir } from './test-openssl.ts';

const now = new Date(Date.UTC(2026, 0, 15, 8));

describe.each(['p256', 'sm2'] as const)('%s PKCS#12 bundles', (family) => {
  let tmp: OpensslDir;
  beforeAll(async () => {
    tmp = await opensslDir();
  });
  afterAll(() => tmp.remove());

  it('is read by openssl pkcs12 with the one-time password: key, certificate and chain, modern algorithms', async () => {
    const ca = caInit({ family, baseUrl: 'http://127.0.0.1:8080', now });
    const bundle = issueSoftwareCertificate(
      family,
      {
        profile: profiles.unitSigning,
        subject: unitSubject('上海测试贸易有限公司', '91310000MA1FL0XX1B'),
        issuer: { signer: ca.issuing.key.signer, certificate: ca.issuing.certificate, caName: ca.issuing.caName },
        notBefore: now,
        notAfter: validityEnd(profiles.unitSigning, now),
        baseUrl: 'http://127.0.0.1:8080',
      },
      [ca.issuing.certificate, ca.root.certificate],
    );
    expect(bundle.password).toMatch(/^[A-Za-z2-9]{16}$/);
    await tmp.write('bundle.p12', bundle.p12);
    const pass = `pass:${bundle.password}`;
    const out = await tmp.openssl('pkcs12', '-in', 'bundle.p12', '-nodes', '-passin', pass, '-out', 'all.pem');
    expect(out).toBe('');
    const pem = new TextDecoder().decode(await tmp.read('all.pem'));
    expect(pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    expect(pem).toContain('BEGIN PRIVATE KEY');
    expect(pem).toContain(toPem('CERTIFICATE', bundle.certificate).trim());

    const info = await tmp.openssl('pkcs12', '-in', 'bundle.p12', '-info', '-noout', '-passin', pass);
    expect(info).toContain('MAC: sha256');
    expect(info).toMatch(/PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256/);

    // The key in the bundle is the certificate's key.
    await tmp.openssl('pkcs12', '-in', 'bundle.p12', '-nocerts', '-nodes', '-passin', pass, '-out', 'key.pem');
    await tmp.openssl('pkey', '-in', 'key.pem', '-pubout', '-out', 'key.pub');
    await tmp.openssl('pkcs12', '-in', 'bundle.p12', '-clcerts', '-nokeys', '-passin', pass, '-out', 'cert.pem');
    await tmp.openssl('x509', '-in', 'cert.pem', '-pubkey', '-noout', '-out', 'cert.pub');
    expect(Buffer.from(await tmp.read('key.pub')).equals(Buffer.from(await tmp.read('cert.pub')))).toBe(true);

    const wrong = await tmp.opensslStatus('pkcs12', '-in', 'bundle.p12', '-nodes', '-passin', 'pass:wrong-password');
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toMatch(/mac verify (failure|error)/i);
  });
});

/** A DER BMPString (tag 0x1e, short length): UTF-16 big-endian. */
function bmpText(der: ArrayBuffer): string {
  const bytes = Buffer.from(der);
  expect(bytes[0]).toBe(0x1e);
  return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
}

describe('SM2 dual pair in one PKCS#12', () => {
  let tmp: OpensslDir;
  beforeAll(async () => {
    tmp = await opensslDir();
  });
  afterAll(() => tmp.remove());

  it('holds both keys and both certificates, paired by localKeyId and named 签名 / 加密', async () => {
    const ca = caInit({ family: 'sm2', baseUrl: 'http://127.0.0.1:8080', now });
    const request = {
      subject: unitSubject('上海测试贸易有限公司', '91310000MA1FL0XX1B'),
      issuer: { signer: ca.issuing.key.signer, certificate: ca.issuing.certificate, caName: ca.issuing.caName },
      notBefore: now,
      notAfter: validityEnd(profiles.unitSigning, now),
      baseUrl: 'http://127.0.0.1:8080',
    };
    const encryption = generateSm2Key();
    const encryptionCertificate = issueCertificate({ ...request, profile: profiles.unitEncryption, subjectSpki: sm2Spki(encryption.publicKey) });
    const bundle = issueSoftwareCertificate('sm2', { ...request, profile: profiles.unitSigning }, [ca.issuing.certificate, ca.root.certificate], {
      friendlyName: '签名',
      companions: [{ key: sm2PrivateKey(encryption), certificate: encryptionCertificate, friendlyName: '加密' }],
    });
    await tmp.write('dual.p12', bundle.p12);
    const pass = `pass:${bundle.password}`;
    const info = await tmp.openssl('pkcs12', '-in', 'dual.p12', '-info', '-nodes', '-passin', pass);
    expect(info.match(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC/g)).toHaveLength(2);
    expect(info.match(/BEGIN PRIVATE KEY/g)).toHaveLength(2);
    expect(info.match(/BEGIN CERTIFICATE/g)).toHaveLength(4);

    // Each key sits beside its own certificate: openssl pairs them by localKeyID.
    const sections = info.split('Bag Attributes').map((text) => ({ text, id: /localKeyID: ([0-9A-F ]+)/.exec(text)?.[1]?.trim() }));
    const keys = sections.filter((b) => b.id && b.text.includes('BEGIN PRIVATE KEY'));
    expect(new Set(keys.map((k) => k.id)).size).toBe(2);
    const pemOf = (text: string, label: string) => text.slice(text.indexOf(`-----BEGIN ${label}`), text.indexOf(`-----END ${label}-----`) + label.length + 14);
    for (const key of keys) {
      const certificate = sections.find((b) => b.id === key.id && b.text.includes('BEGIN CERTIFICATE'));
      await tmp.write('key.pem', pemOf(key.text, 'PRIVATE KEY'));
      await tmp.write('cert.pem', pemOf(certificate!.text, 'CERTIFICATE'));
      await tmp.openssl('pkey', '-in', 'key.pem', '-pubout', '-out', 'key.pub');
      await tmp.openssl('x509', '-in', 'cert.pem', '-pubkey', '-noout', '-out', 'cert.pub');
      expect(Buffer.from(await tmp.read('key.pub')).equals(Buffer.from(await tmp.read('cert.pub')))).toBe(true);
    }
    // OpenSSL 3.0 prints BMPString friendly names byte by byte (only ASCII survives): read them
    // with @peculiar/asn1-pfx from the certificates' SafeContents, which is plain data.
    const pfx = AsnConvert.parse(bundle.p12, PFX);
    const safe = AsnConvert.parse(AsnConvert.parse(pfx.authSafe.content, OctetString).buffer, AuthenticatedSafe);
    const bags = AsnConvert.parse(AsnConvert.parse(safe[0]!.content, OctetString).buffer, SafeContents);
    const names = bags.flatMap((bag) => (bag.bagAttributes ?? []).filter((a) => a.attrId === '1.2.840.113549.1.9.20').map((a) => bmpText(a.attrValues[0]!)));
    expect(names).toEqual(['签名', '加密']);
  });
});
