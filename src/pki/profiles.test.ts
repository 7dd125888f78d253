import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caInit, issueCertificate } from './certificate.ts';
import { generateKey } from './keys.ts';
import { profiles, revocationUrls, unitSubject, type ProfileName } from './profiles.ts';
import { opensslDir, type OpensslDir } from './test-openssl.ts';

describe('profiles', () => {
  it('builds revocation URLs from a configurable base', () => {
    expect(revocationUrls('https://ca.example.cn/', 'sm2-issuing')).toEqual({
      crl: 'https://ca.example.cn/crl/sm2-issuing.crl',
      ocsp: 'https://ca.example.cn/ocsp',
      caIssuers: 'https://ca.example.cn/ca/sm2-issuing.crt',
    });
  });

  it('limits the dual-pair encryption and seal maker certificates to SM2', () => {
    expect(profiles.unitEncryption.families).toEqual(['sm2']);
    expect(profiles.sealMaker.families).toEqual(['sm2']);
    expect(profiles.unitEncryption.keyUsage).toEqual(expect.arrayContaining(['keyEncipherment', 'dataEncipherment']));
    expect(profiles.unitEncryption.keyUsage).not.toContain('digitalSignature');
  });
});

// NSS is what poppler (pdfsig) checks PDF signers with, as "email signer" usage; NSS has no SM2,
// so this runs on P-256. The OCSP certificate is the control that must be refused.
describe('document signing profile in NSS (certutil)', () => {
  let tmp: OpensslDir;
  beforeAll(async () => {
    tmp = await opensslDir();
  });
  afterAll(() => tmp.remove());

  it('is valid for email/document signer usage; the OCSP-signing profile is not', async () => {
    const now = new Date();
    const ca = caInit({ family: 'p256', baseUrl: 'http://127.0.0.1:9', now: new Date(now.getTime() - 3_600_000) });
    await tmp.write('root.der', ca.root.certificate);
    await tmp.write('issuing.der', ca.issuing.certificate);
    const db = `sql:${tmp.path('nss')}`;
    await tmp.tool('mkdir', tmp.path('nss'));
    expect((await tmp.tool('certutil', '-N', '-d', db, '--empty-password')).code).toBe(0);
    expect((await tmp.tool('certutil', '-A', '-d', db, '-n', 'root', '-t', 'C,C,C', '-i', tmp.path('root.der'))).code).toBe(0);
    expect((await tmp.tool('certutil', '-A', '-d', db, '-n', 'issuing', '-t', ',,', '-i', tmp.path('issuing.der'))).code).toBe(0);
    const results: Partial<Record<ProfileName, string>> = {};
    for (const name of ['documentSigning', 'unitSigning', 'ocspSigning'] as const) {
      const der = issueCertificate({
        profile: profiles[name],
        subject: unitSubject('广州测试文书有限公司', '91440101MA5AXXXX0Y'),
        subjectSpki: generateKey('p256').signer.spki,
        issuer: { signer: ca.issuing.key.signer, certificate: ca.issuing.certificate, caName: ca.issuing.caName },
        notBefore: new Date(now.getTime() - 60_000),
        notAfter: new Date(now.getTime() + 86_400_000),
        baseUrl: 'http://127.0.0.1:9',
      });
      await tmp.write(`${name}.der`, der);
      await tmp.tool('certutil', '-A', '-d', db, '-n', name, '-t', ',,', '-i', tmp.path(`${name}.der`));
      results[name] = (await tmp.tool('certutil', '-V', '-d', db, '-n', name, '-u', 'S')).output;
    }
    expect(results.documentSigning).toContain('certificate is valid');
    expect(results.unitSigning).toContain('certificate is valid');
    expect(results.ocspSigning).toContain('certificate is invalid');
  });
});
