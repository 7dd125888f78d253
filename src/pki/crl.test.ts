import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCrl, parseCrl } from './crl.ts';
import { makeOpensslCa, type OpensslCa } from './test-openssl.ts';
import { toHex } from './issuer.ts';

describe('CRL', () => {
  let ca: OpensslCa;
  beforeAll(async () => {
    ca = await makeOpensslCa();
  });
  afterAll(async () => ca.cleanup());

  const thisUpdate = new Date('2026-01-01T00:00:00Z');
  const nextUpdate = new Date('2026-01-08T00:00:00Z');

  it('is signed so that openssl verifies it, and lists entries with their reasons', async () => {
    const der = buildCrl({
      issuer: ca.caDer,
      signer: ca.caSigner,
      thisUpdate,
      nextUpdate,
      crlNumber: 42,
      entries: [
        { serialHex: ca.leafSerialHex, revokedAt: new Date('2025-12-31T10:00:00Z'), reason: 'keyCompromise' },
        { serialHex: '80ff01', revokedAt: new Date('2025-12-30T10:00:00Z'), reason: 'superseded' },
        { serialHex: '0a', revokedAt: new Date('2025-12-29T10:00:00Z') },
      ],
    });
    await ca.tmp.write('x.crl', der);
    expect(await ca.run('crl', '-in', 'x.crl', '-inform', 'DER', '-CAfile', 'ca.pem', '-noout')).toContain('verify OK');
    const text = await ca.run('crl', '-in', 'x.crl', '-inform', 'DER', '-noout', '-text');
    expect(text).toContain('Key Compromise');
    expect(text).toContain('Superseded');
    expect(text.toUpperCase()).toContain(ca.leafSerialHex.toUpperCase());
    expect(text).toContain('80FF01');
    expect(text).toMatch(/X509v3 CRL Number:\s*\n\s*42/);
    expect(text).toContain('X509v3 Authority Key Identifier');
  });

  it('parses back what it built', async () => {
    const der = buildCrl({
      issuer: ca.caDer,
      signer: ca.caSigner,
      thisUpdate,
      nextUpdate,
      crlNumber: 2n ** 70n,
      entries: [{ serialHex: '00ff', revokedAt: new Date('2025-12-31T10:00:00Z'), reason: 'cessationOfOperation' }],
    });
    const crl = parseCrl(der);
    expect(crl.thisUpdate.toISOString()).toBe(thisUpdate.toISOString());
    expect(crl.nextUpdate?.toISOString()).toBe(nextUpdate.toISOString());
    expect(crl.crlNumber).toBe(2n ** 70n);
    expect(crl.entries).toEqual([
      { serialHex: 'ff', revokedAt: new Date('2025-12-31T10:00:00Z'), reason: 'cessationOfOperation' },
    ]);
    expect(crl.signatureOid).toBe('1.2.840.10045.4.3.2');
    const ski = await ca.run('x509', '-in', 'ca.pem', '-noout', '-ext', 'subjectKeyIdentifier');
    expect(ski.replace(/[^0-9A-F]/g, '')).toContain((crl.authorityKeyIdHex ?? '').toUpperCase());
    expect(toHex(crl.tbs).length).toBeGreaterThan(0);
  });

  it('omits revokedCertificates when nothing is revoked, and openssl still verifies it', async () => {
    const der = buildCrl({ issuer: ca.caDer, signer: ca.caSigner, thisUpdate, nextUpdate, crlNumber: 1, entries: [] });
    await ca.tmp.write('empty.crl', der);
    expect(await ca.run('crl', '-in', 'empty.crl', '-inform', 'DER', '-CAfile', 'ca.pem', '-noout')).toContain('verify OK');
    expect(parseCrl(der).entries).toEqual([]);
  });
});
