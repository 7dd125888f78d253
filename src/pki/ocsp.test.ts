import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOcspResponder, decodeGetRequest, describeOcspRequest, ocspErrors, type CertificateStatus, type OcspResponder } from './ocsp.ts';
import { memoryOcspCache } from './ocsp-cache.ts';
import { serveOcsp } from './test-ocsp.ts';
import { makeOpensslCa, type OpensslCa } from './test-openssl.ts';
import { describeIssuer, sha1, toHex } from './issuer.ts';

describe('OCSP responder against the openssl client', () => {
  let ca: OpensslCa;
  let server: Server;
  let url: string;
  let responder: OcspResponder;
  const statuses = new Map<string, CertificateStatus>();
  const lookups: string[] = [];
  const cache = memoryOcspCache();
  let caKeyHash: string;

  beforeAll(async () => {
    ca = await makeOpensslCa();
    caKeyHash = toHex(sha1(describeIssuer(ca.caDer).publicKey));
    statuses.set(ca.leafSerialHex, 'good');
    responder = createOcspResponder({
      authorities: [{ certificate: ca.caDer, signer: ca.caSigner }],
      lookup: (issuer, serial) => {
        lookups.push(`${issuer}:${serial}`);
        return statuses.get(serial) ?? 'unknown';
      },
      cache,
    });
    ({ server, url } = await serveOcsp(() => responder));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await ca.cleanup();
  });

  const ask = (...extra: string[]) =>
    ca.run('ocsp', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-url', url, '-CAfile', 'ca.pem', ...extra);

  it('answers good, signed by the CA, echoing the nonce openssl sends', async () => {
    const out = await ask();
    expect(out).toContain('Response verify OK');
    expect(out).toContain('leaf.pem: good');
    expect(out).not.toContain('WARNING: no nonce in response');
  });

  it('names the certificate by SHA-256 CertIDs too', async () => {
    const out = await ca.run('ocsp', '-issuer', 'ca.pem', '-sha256', '-cert', 'leaf.pem', '-url', url, '-CAfile', 'ca.pem', '-no_nonce');
    expect(out).toContain('Response verify OK');
    expect(out).toContain('leaf.pem: good');
  });

  it('serves nonce-less requests from the cache until the certificate is revoked and invalidated', async () => {
    expect(await ask('-no_nonce')).toContain('leaf.pem: good');
    const before = lookups.length;
    expect(await ask('-no_nonce')).toContain('leaf.pem: good');
    expect(lookups.length).toBe(before);

    statuses.set(ca.leafSerialHex, { revokedAt: new Date('2026-01-02T03:04:05Z'), reason: 'keyCompromise' });
    // Still the cached answer: the app must invalidate on revocation, and this proves the cache is used.
    expect(await ask('-no_nonce')).toContain('leaf.pem: good');
    responder.invalidate(caKeyHash, ca.leafSerialHex);
    const out = await ask('-no_nonce');
    expect(out).toContain('Response verify OK');
    expect(out).toContain('leaf.pem: revoked');
    expect(out).toContain('Reason: keyCompromise');
    expect(out).toContain('Revocation Time: Jan  2 03:04:05 2026 GMT');
    // With a nonce, never cached: also revoked.
    expect(await ask()).toContain('leaf.pem: revoked');
    statuses.set(ca.leafSerialHex, 'good');
    responder.invalidate(caKeyHash, ca.leafSerialHex);
  });

  it('answers unknown for a serial it does not know, and unauthorized for a CA it does not serve', async () => {
    const other = await ca.issue('other', '/CN=未登记', 'basicConstraints=CA:FALSE\n');
    const out = await ca.run('ocsp', '-issuer', 'ca.pem', '-cert', 'other.pem', '-url', url, '-CAfile', 'ca.pem', '-no_nonce');
    expect(out).toContain('other.pem: unknown');
    // Unknown answers are not cached: once the app knows the certificate, the next answer says so.
    statuses.set(other.serialHex, 'good');
    expect(await ca.run('ocsp', '-issuer', 'ca.pem', '-cert', 'other.pem', '-url', url, '-CAfile', 'ca.pem', '-no_nonce')).toContain('other.pem: good');
    const stranger = await makeOpensslCa('/CN=Stranger CA');
    try {
      const res = await stranger.run('ocsp', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-url', url);
      expect(res).toContain('unauthorized');
    } finally {
      await stranger.cleanup();
    }
  });

  it('answers the GET form (base64 of the DER, URL-encoded)', async () => {
    await ca.run('ocsp', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-no_nonce', '-reqout', 'req.der');
    const req = Buffer.from(await ca.tmp.read('req.der'));
    expect(describeOcspRequest(new Uint8Array(req)).serials).toEqual([ca.leafSerialHex]);
    const res = await fetch(`${url}/${encodeURIComponent(req.toString('base64'))}`);
    await ca.tmp.write('get.der', Buffer.from(await res.arrayBuffer()));
    const out = await ca.run('ocsp', '-respin', 'get.der', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-CAfile', 'ca.pem', '-no_nonce');
    expect(out).toContain('Response verify OK');
    expect(out).toContain('leaf.pem: good');
  });

  it('answers malformedRequest to garbage, and internalError when the lookup fails', async () => {
    expect(await responder.respond(Uint8Array.of(1, 2, 3))).toEqual(ocspErrors.malformedRequest);
    expect(await responder.respondToGet('%%%')).toEqual(ocspErrors.malformedRequest);
    expect(decodeGetRequest('MAA%3D')).toEqual(Uint8Array.of(0x30, 0x00));
    const failing = createOcspResponder({
      authorities: [{ certificate: ca.caDer, signer: ca.caSigner }],
      lookup: () => Promise.reject(new Error('db down')),
    });
    await ca.run('ocsp', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-reqout', 'req2.der');
    expect(await failing.respond(await ca.tmp.read('req2.der'))).toEqual(ocspErrors.internalError);
  });

  it('signs with a delegated OCSP-signing certificate included in certs', async () => {
    const delegate = await ca.issue('ocsp', '/CN=CertDesk OCSP', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=OCSPSigning\n');
    const delegated = createOcspResponder({
      authorities: [{ certificate: ca.caDer, signer: delegate.signer, responderCertificate: delegate.der }],
      lookup: () => 'good',
    });
    const { server: s2, url: url2 } = await serveOcsp(() => delegated);
    try {
      const out = await ca.run('ocsp', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-url', url2, '-CAfile', 'ca.pem', '-resp_text');
      expect(out).toContain('Response verify OK');
      expect(out).toContain('leaf.pem: good');
      expect(out).toContain('CertDesk OCSP');
    } finally {
      await new Promise((resolve) => s2.close(resolve));
    }
  });
});
