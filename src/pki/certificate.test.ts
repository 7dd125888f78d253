import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caInit, issueCertificate, randomSerial, type CaCertificate } from './certificate.ts';
import { parseCertificate } from './certificate-info.ts';
import { toPem } from './der.ts';
import { generateKey } from './keys.ts';
import { profiles, unitSubject, validityEnd } from './profiles.ts';
import type { KeyFamily } from './signer.ts';
import { verifySignature } from './verify.ts';
import { opensslDir, type OpensslDir } from './test-openssl.ts';

const baseUrl = 'http://127.0.0.1:8080';
const now = new Date(Date.UTC(2026, 0, 15, 8, 0, 0));
const unit = unitSubject('北京测试科技有限公司', '91110108MA01ABCD2X');
const distid = ['-vfyopt', 'distid:1234567812345678'];

function issueUnit(ca: { issuing: CaCertificate }, family: KeyFamily, profile = profiles.unitSigning): Uint8Array {
  return issueCertificate({
    profile,
    subject: unit,
    subjectSpki: generateKey(family).signer.spki,
    issuer: { signer: ca.issuing.key.signer, certificate: ca.issuing.certificate, caName: ca.issuing.caName },
    notBefore: now,
    notAfter: validityEnd(profile, now),
    baseUrl,
  });
}

describe.each(['p256', 'sm2'] as const)('%s certificates', (family) => {
  let tmp: OpensslDir;
  const ca = caInit({ family, baseUrl, now });
  const attime = ['-attime', String(now.getTime() / 1000 + 60)];
  // OpenSSL 3.0 applies -vfyopt distid only to the certificate named on the command line, not to
  // intermediates it loads, so an SM2 chain is checked link by link: the issuing CA against the
  // root (its own test below), then the leaf against the issuing CA as a partial-chain anchor.
  const verifyArgs = (...files: string[]): string[] =>
    family === 'sm2'
      ? ['verify', ...distid, ...attime, '-partial_chain', '-CAfile', 'issuing.pem', ...files]
      : ['verify', ...attime, '-CAfile', 'root.pem', '-untrusted', 'issuing.pem', ...files];

  beforeAll(async () => {
    tmp = await opensslDir();
    await tmp.write('root.pem', toPem('CERTIFICATE', ca.root.certificate));
    await tmp.write('issuing.pem', toPem('CERTIFICATE', ca.issuing.certificate));
  });
  afterAll(() => tmp.remove());

  it('issues a unit signing certificate that openssl verifies up to the root', async () => {
    await tmp.write('unit.pem', toPem('CERTIFICATE', issueUnit(ca, family)));
    expect(await tmp.openssl(...verifyArgs('unit.pem'))).toContain('unit.pem: OK');
  });

  it('shows the Chinese subject, the USCC and the profile extensions in openssl x509 -text', async () => {
    await tmp.write('unit.pem', toPem('CERTIFICATE', issueUnit(ca, family)));
    const text = await tmp.openssl('x509', '-in', 'unit.pem', '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space');
    expect(text).toContain('Subject: C=CN, O=北京测试科技有限公司, CN=北京测试科技有限公司, serialNumber=91110108MA01ABCD2X');
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toContain('TLS Web Client Authentication, E-mail Protection');
    expect(text).toContain(`URI:${baseUrl}/crl/${family}-issuing.crl`);
    expect(text).toContain(`OCSP - URI:${baseUrl}/ocsp`);
    expect(text).toContain(`CA Issuers - URI:${baseUrl}/ca/${family}-issuing.crt`);
    expect(text).toContain('1.2.156.10260.4.1.4');
    expect(text).toContain('X509v3 Subject Key Identifier');
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text).toContain(family === 'sm2' ? 'SM2-with-SM3' : 'ecdsa-with-SHA256');
  });

  it('issues every end-entity profile of the family, all verifiable', async () => {
    const names = (['unitEncryption', 'ocspSigning', 'documentSigning', 'sealMaker'] as const).filter((n) =>
      profiles[n].families.includes(family),
    );
    for (const name of names) {
      await tmp.write(`${name}.pem`, toPem('CERTIFICATE', issueUnit(ca, family, profiles[name])));
      expect(await tmp.openssl(...verifyArgs(`${name}.pem`))).toContain(`${name}.pem: OK`);
    }
    if (names.includes('ocspSigning')) {
      const text = await tmp.openssl('x509', '-in', 'ocspSigning.pem', '-noout', '-text');
      expect(text).toContain('OCSP Signing');
      expect(text).toContain('OCSP No Check');
    }
  });

  it('makes CA certificates openssl recognises as a root and a path-length-0 intermediate', async () => {
    const root = await tmp.openssl('x509', '-in', 'root.pem', '-noout', '-text');
    expect(root).toMatch(/CA:TRUE\n/);
    expect(root).toMatch(/Certificate Sign, CRL Sign/);
    const issuing = await tmp.openssl('x509', '-in', 'issuing.pem', '-noout', '-text');
    expect(issuing).toContain('CA:TRUE, pathlen:0');
    expect(await tmp.openssl('verify', ...(family === 'sm2' ? distid : []), ...attime, '-CAfile', 'root.pem', 'issuing.pem')).toContain('OK');
  });

  it('parses back what it issued', () => {
    const serial = randomSerial();
    const der = issueCertificate({
      profile: profiles.unitSigning,
      subject: unit,
      subjectSpki: generateKey(family).signer.spki,
      issuer: { signer: ca.issuing.key.signer, certificate: ca.issuing.certificate, caName: ca.issuing.caName },
      serial,
      notBefore: now,
      notAfter: validityEnd(profiles.unitSigning, now),
      baseUrl,
    });
    const info = parseCertificate(toPem('CERTIFICATE', der));
    expect(info.serialHex).toBe(Buffer.from(serial).toString('hex'));
    expect(info.subject).toMatchObject({ organization: '北京测试科技有限公司', commonName: '北京测试科技有限公司', uscc: '91110108MA01ABCD2X' });
    expect(info.issuer.commonName).toContain('签发CA');
    expect(info.notBefore).toEqual(now);
    expect(info.notAfter).toEqual(new Date(Date.UTC(2027, 0, 15, 8, 0, 0)));
    expect(info.family).toBe(family);
    expect(verifySignature(ca.issuing.key.signer.spki, info.tbs, info.signature)).toBe(true);
  });

  it('is refused by openssl when signed by an impostor CA with the same name', async () => {
    const impostor = caInit({ family, baseUrl, now });
    await tmp.write('impostor.pem', toPem('CERTIFICATE', issueUnit(impostor, family)));
    const result = await tmp.opensslStatus(...verifyArgs('impostor.pem'));
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/signature failure|unable to get local issuer/);
  });

  it('refuses a key the profile does not allow', () => {
    if (family === 'p256') expect(() => issueUnit(ca, 'p256', profiles.sealMaker)).toThrow(/does not accept/);
    else expect(() => issueUnit(ca, 'sm2', profiles.unitEncryption)).not.toThrow();
  });
});

describe('validity', () => {
  it('ends a term that starts on 29 February on 28 February', () => {
    expect(validityEnd(profiles.unitSigning, new Date(Date.UTC(2028, 1, 29)))).toEqual(new Date(Date.UTC(2029, 1, 28)));
    expect(validityEnd(profiles.unitSigning, now, 3)).toEqual(new Date(Date.UTC(2029, 0, 15, 8)));
  });
});
