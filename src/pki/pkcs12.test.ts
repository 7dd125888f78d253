import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caInit } from './certificate.ts';
import { toPem } from './der.ts';
import { issueSoftwareCertificate } from './pkcs12.ts';
import { profiles, unitSubject, validityEnd } from './profiles.ts';
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
