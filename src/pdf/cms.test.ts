import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cadesDetachedSignature } from './cms.ts';
import { verifyCadesDetached } from './cms-verify.ts';
import { type TestCa, makeTestCa } from './testing.ts';

const skip = !existsSync('/usr/bin/openssl') && !process.env['CI'];

describe.skipIf(skip)('CAdES detached signatures (cms.ts, cms-verify.ts)', () => {
  let ca: TestCa;
  const content = [new TextEncoder().encode('%PDF-1.7 first range'), new TextEncoder().encode('second range')];
  const digest = createHash('sha256').update(content[0]!).update(content[1]!).digest();

  beforeAll(() => {
    ca = makeTestCa();
  });
  afterAll(() => rmSync(ca.dir, { recursive: true, force: true }));

  const sign = (): Uint8Array =>
    cadesDetachedSignature(digest, { signer: ca.signer, certificate: ca.certificateDer, chain: [ca.caDer] });

  it('verifies, and carries the certificates byte for byte, the signer first', () => {
    const result = verifyCadesDetached(sign(), content);
    expect(result).toMatchObject({ digestMatches: true, signatureVerifies: true, certificateBound: true });
    expect(result.problem).toBeUndefined();
    expect(result.certificates.map((c) => Buffer.from(c).toString('base64'))).toEqual(
      [ca.certificateDer, ca.caDer].map((c) => Buffer.from(c).toString('base64')),
    );
  });

  it('fails on other content', () => {
    const result = verifyCadesDetached(sign(), [new TextEncoder().encode('something else')]);
    expect(result).toMatchObject({ digestMatches: false, signatureVerifies: true });
    expect(result.problem).toMatch(/digest/);
  });

  it('fails when a signed attribute is altered', () => {
    const cms = Buffer.from(sign());
    const at = cms.indexOf(digest); // the message-digest attribute's value
    cms[at]! ^= 0x01;
    const result = verifyCadesDetached(cms, content);
    expect(result.signatureVerifies).toBe(false);
  });

  it('notices a certificate swapped for another with the same key, issuer and serial', () => {
    // The ESS signing-certificate-v2 attribute binds the signature to the exact certificate.
    const serial = execFileSync('openssl', ['x509', '-in', 'ee.pem', '-noout', '-serial'], { cwd: ca.dir, encoding: 'utf8' })
      .trim()
      .replace('serial=', '');
    let twin: Uint8Array | undefined;
    for (let days = 100; days < 120 && twin === undefined; days++) {
      execFileSync(
        'openssl',
        ['x509', '-req', '-in', 'ee.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', `0x${serial}`,
          '-sha256', '-days', String(days), '-extfile', 'ee.ext', '-out', 'twin.pem'],
        { cwd: ca.dir, stdio: 'ignore' },
      );
      const der = new Uint8Array(new X509Certificate(readFileSync(join(ca.dir, 'twin.pem'))).raw);
      if (der.length === ca.certificateDer.length) twin = der; // same length: a drop-in swap
    }
    expect(twin).toBeDefined();
    const cms = Buffer.from(sign());
    cms.set(twin!, cms.indexOf(Buffer.from(ca.certificateDer)));
    const result = verifyCadesDetached(cms, content);
    expect(result).toMatchObject({ digestMatches: true, signatureVerifies: true, certificateBound: false });
    expect(result.problem).toMatch(/signing-certificate/);
  });

  it('reports garbage as unreadable instead of throwing', () => {
    expect(verifyCadesDetached(new Uint8Array([0x30, 0x03, 1, 2, 3]), content).problem).toMatch(/unreadable|SignedData/);
  });
});
