/**
 * A contract signed with a document-signing certificate issued by our own pki/ (not openssl):
 * poppler's pdfsig, through NSS, must find it valid and trusted. NSS checks a PDF signer as an
 * e-mail signer, so the profile's EKU must include emailProtection (see profiles.ts); and as our
 * certificates name an OCSP responder, NSS asks it, so the test serves pki/ocsp.ts on loopback
 * (with the responder unreachable NSS says "Unknown issue with Certificate").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caInit, issueCertificate } from '../pki/certificate.ts';
import { toPem } from '../pki/der.ts';
import { generateKey } from '../pki/keys.ts';
import { createOcspResponder, type OcspResponder } from '../pki/ocsp.ts';
import { profiles, unitSubject, validityEnd } from '../pki/profiles.ts';
import { serveOcsp } from '../pki/test-ocsp.ts';
import { makeSignedContract } from './contract.ts';
import { drawTestSeal, pdfsigAsync, sampleContract, skipWithout, trustInNss } from './testing.ts';

const skip = skipWithout('用本系统证书签署的合同测试', { font: true, tools: ['pdfsig', 'certutil'] });

describe.skipIf(skip)('a contract signed with a certificate from our pki', () => {
  const dir = mkdtempSync(join(tmpdir(), 'certdesk-pdf-pki-'));
  let responder: OcspResponder;
  let server: Server;
  let baseUrl: string;
  beforeAll(async () => {
    ({ server, baseUrl } = await serveOcsp(() => responder));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('pdfsig: "Signature is Valid." and "Certificate is Trusted." with profiles.documentSigning', async () => {
    const now = new Date();
    const asked: string[] = [];
    const { root, issuing } = caInit({ family: 'p256', baseUrl, now });
    const key = generateKey('p256');
    const certificate = issueCertificate({
      profile: profiles.documentSigning,
      subject: unitSubject('内蒙古自治区呼和浩特市赛罕区教育局直属机关事务服务中心', '12150105MB1234567X'),
      subjectSpki: key.signer.spki,
      issuer: { signer: issuing.key.signer, certificate: issuing.certificate, caName: issuing.caName },
      notBefore: now,
      notAfter: validityEnd(profiles.documentSigning, now),
      baseUrl,
    });
    responder = createOcspResponder({
      authorities: [
        { certificate: issuing.certificate, signer: issuing.key.signer },
        { certificate: root.certificate, signer: root.key.signer },
      ],
      lookup: (_issuer, serial) => {
        asked.push(serial);
        return 'good';
      },
    });
    const caPemPath = join(dir, 'root.pem');
    writeFileSync(caPemPath, toPem('CERTIFICATE', root.certificate));
    const nss = trustInNss({ dir, caPemPath });

    const signed = await makeSignedContract(sampleContract(await drawTestSeal()), {
      signer: key.signer,
      certificate,
      chain: [issuing.certificate, root.certificate],
    });
    writeFileSync(join(dir, 'contract.pdf'), signed);

    const report = await pdfsigAsync(join(dir, 'contract.pdf'), nss);
    expect(report.raw).toContain('Signature is Valid.');
    expect(report.raw).toContain('Certificate is Trusted.');
    expect(asked.length, 'NSS asked our OCSP responder').toBeGreaterThan(0);
  }, 30_000);
});
