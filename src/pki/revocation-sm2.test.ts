import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, OCSPResponse, OCSPResponseStatus } from '@peculiar/asn1-ocsp';
import { describe, expect, it } from 'vitest';
import { caInit, issueCertificate } from './certificate.ts';
import { parseCertificate } from './certificate-info.ts';
import { buildCrl, parseCrl } from './crl.ts';
import { generateKey } from './keys.ts';
import { createOcspResponder } from './ocsp.ts';
import { describeIssuer, serialFromHex, sha1 } from './issuer.ts';
import { profiles, unitSubject, validityEnd } from './profiles.ts';
import { verifySignature } from './verify.ts';
import { oid, octets, seq, tlv, Tag } from './der.ts';

// SM2 CAs come from pki-core's caInit; OpenSSL 3.0 cannot be given the SM2 ID for CRLs and OCSP
// responses, so the signatures are checked with pki's verifySignature (itself tested against openssl).
const now = new Date(Date.UTC(2026, 0, 15, 8, 0, 0));
const ca = caInit({ family: 'sm2', baseUrl: 'http://127.0.0.1:8080', now });
const leaf = issueCertificate({
  profile: profiles.unitSigning,
  subject: unitSubject('北京测试科技有限公司', '91110108MA01ABCD2X'),
  subjectSpki: generateKey('sm2').signer.spki,
  issuer: { signer: ca.issuing.key.signer, certificate: ca.issuing.certificate, caName: ca.issuing.caName },
  notBefore: now,
  notAfter: validityEnd(profiles.unitSigning, now),
  baseUrl: 'http://127.0.0.1:8080',
});
const leafSerial = parseCertificate(leaf).serialHex;
const caSpki = parseCertificate(ca.issuing.certificate).spki;

describe('SM2 revocation artefacts', () => {
  it('signs CRLs with SM2-with-SM3', () => {
    const der = buildCrl({
      issuer: ca.issuing.certificate,
      signer: ca.issuing.key.signer,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + 86_400_000),
      crlNumber: 7,
      entries: [{ serialHex: leafSerial, revokedAt: now, reason: 'affiliationChanged' }],
    });
    const crl = parseCrl(der);
    expect(crl.signatureOid).toBe('1.2.156.10197.1.501');
    expect(verifySignature(caSpki, crl.tbs, crl.signature)).toBe(true);
    expect(crl.entries[0]).toMatchObject({ serialHex: leafSerial, reason: 'affiliationChanged' });
  });

  it('signs OCSP responses with SM2-with-SM3', async () => {
    const issuer = describeIssuer(ca.issuing.certificate);
    // A SHA-1 CertID as openssl would send it, without a nonce.
    const certId = seq(
      seq(oid('1.3.14.3.2.26'), Uint8Array.of(Tag.NULL, 0)),
      octets(sha1(issuer.nameDer)),
      octets(sha1(issuer.publicKey)),
      tlv(Tag.INTEGER, new Uint8Array(serialFromHex(leafSerial))),
    );
    const request = seq(seq(seq(seq(certId))));
    const responder = createOcspResponder({
      authorities: [{ certificate: ca.issuing.certificate, signer: ca.issuing.key.signer }],
      lookup: () => ({ revokedAt: now, reason: 'superseded' }),
      now: () => now,
    });
    const response = AsnConvert.parse(await responder.respond(request), OCSPResponse);
    expect(response.responseStatus).toBe(OCSPResponseStatus.successful);
    const basic = AsnConvert.parse(response.responseBytes!.response, BasicOCSPResponse);
    expect(basic.signatureAlgorithm.algorithm).toBe('1.2.156.10197.1.501');
    expect(verifySignature(caSpki, new Uint8Array(basic.tbsResponseDataRaw!), new Uint8Array(basic.signature))).toBe(true);
    const single = basic.tbsResponseData.responses[0]!;
    expect(single.certStatus.revoked?.revocationTime.toISOString()).toBe(now.toISOString());
    expect(single.certStatus.revoked?.revocationReason?.reason).toBe(4);
    expect(single.nextUpdate?.getTime()).toBe(now.getTime() + 3_600_000);
  });
});
