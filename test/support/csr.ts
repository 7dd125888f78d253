/**
 * PKCS#10 requests made in-process, as a USB key makes them (a key of either family signing its own
 * request): for tests and benchmarks that need many and are not about CSRs. Requests from openssl
 * itself are used where the CSR is what is tested (ca.test.ts, pki/csr.test.ts).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest, CertificationRequestInfo } from '@peculiar/asn1-csr';
import { AlgorithmIdentifier, AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { toPem } from '../../src/pki/der.ts';
import { generateKey, type PrivateKey } from '../../src/pki/keys.ts';
import type { KeyFamily } from '../../src/pki/signer.ts';

/** A PEM CSR signed by `key`, subject CN=`commonName`; `tamper` flips a bit of the signed part after signing. */
export function csrPem(key: PrivateKey, commonName = 'USB Key', options: { tamper?: boolean } = {}): string {
  const cn = new AttributeTypeAndValue({ type: '2.5.4.3', value: new AttributeValue({ utf8String: commonName }) });
  const info = new CertificationRequestInfo({
    version: 0,
    subject: new Name([new RelativeDistinguishedName([cn])]),
    subjectPKInfo: AsnConvert.parse(key.signer.spki, SubjectPublicKeyInfo),
  });
  const signature = key.signer.sign(new Uint8Array(AsnConvert.serialize(info)));
  const request = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: key.signer.signatureOid }),
    signature: signature.slice().buffer,
  });
  const der = new Uint8Array(AsnConvert.serialize(request));
  if (options.tamper) {
    // The last byte of the common name: still a well-formed request, no longer the one signed.
    const at = Buffer.from(der).indexOf(Buffer.from(commonName)) + Buffer.byteLength(commonName) - 1;
    der[at] = der[at]! ^ 0x01;
  }
  return toPem('CERTIFICATE REQUEST', der);
}

/** A new key of `family` and its CSR. */
export function newCsr(family: KeyFamily, commonName?: string): { key: PrivateKey; pem: string } {
  const key = generateKey(family);
  return { key, pem: csrPem(key, commonName) };
}
