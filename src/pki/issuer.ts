/**
 * What CRLs, OCSP responses and seals need to know about an issuing CA, gathered once from its
 * certificate: the subject Name (as DER, byte for byte), the key identifier written into
 * AuthorityKeyIdentifier, and the key an OCSP CertID hashes. The reading itself is
 * certificate-info.ts's; here are also the small byte helpers those artefacts share.
 */
import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Name } from '@peculiar/asn1-x509';
import { certificateKeyIdentifier, serialFromHex, serialToHex, tbsFields } from './certificate-info.ts';
import { subjectPublicKey } from './extensions.ts';

// Serial numbers between hex and DER moved to certificate-info.ts; kept importable from here.
export { serialFromHex, serialToHex };

export interface IssuerInfo {
  /** The CA certificate, DER. */
  readonly certificate: Uint8Array;
  /** The CA's subject, parsed (used as the issuer of what it signs). */
  readonly name: Name;
  /** DER of the CA's subject Name, exactly as in its certificate. */
  readonly nameDer: Uint8Array;
  /** The CA's SubjectPublicKeyInfo, DER. */
  readonly spki: Uint8Array;
  /** The subjectPublicKey BIT STRING contents (what RFC 6960 hashes into issuerKeyHash). */
  readonly publicKey: Uint8Array;
  /** The CA's subjectKeyIdentifier, or the RFC 5280 method-1 SHA-1 of the public key if absent. */
  readonly keyId: Uint8Array;
}

/** Reads what a CA's artefacts need from its certificate (DER). */
export function describeIssuer(certificateDer: Uint8Array): IssuerInfo {
  const fields = tbsFields(certificateDer);
  const nameDer = Uint8Array.from(fields.subject.raw);
  const spki = Uint8Array.from(fields.spki.raw);
  return {
    certificate: certificateDer,
    name: AsnConvert.parse(nameDer, Name),
    nameDer,
    spki,
    publicKey: Uint8Array.from(subjectPublicKey(spki)),
    keyId: certificateKeyIdentifier(certificateDer),
  };
}

export function sha1(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(data).digest());
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function toHex(bytes: Uint8Array | ArrayBuffer): string {
  return Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).toString('hex');
}

/** AlgorithmIdentifier for a signature OID; ECDSA and SM2 signatures take no parameters. */
export function signatureAlgorithm(oid: string): AlgorithmIdentifier {
  return new AlgorithmIdentifier({ algorithm: oid });
}

/** An ArrayBuffer holding exactly these bytes (asn1-schema wants ArrayBuffers, not views). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
