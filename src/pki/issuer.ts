/**
 * What CRLs, OCSP responses and seals need to know about an issuing CA, read once from its
 * certificate: the subject Name (as DER, byte for byte), the key identifier written into
 * AuthorityKeyIdentifier, and the hashes an OCSP CertID names the issuer by. Also the one place
 * where certificate serial numbers move between hex (how the app stores them) and DER INTEGER bytes.
 */
import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  Certificate,
  Name,
  SubjectKeyIdentifier,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { keyIdentifier } from './extensions.ts';

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
  const cert = AsnConvert.parse(certificateDer, Certificate);
  const tbs = cert.tbsCertificate;
  const publicKey = new Uint8Array(tbs.subjectPublicKeyInfo.subjectPublicKey);
  const skiExt = tbs.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
  const spki = new Uint8Array(AsnConvert.serialize(tbs.subjectPublicKeyInfo));
  const keyId = skiExt
    ? new Uint8Array(AsnConvert.parse(skiExt.extnValue, SubjectKeyIdentifier).buffer)
    : keyIdentifier(spki);
  return {
    certificate: certificateDer,
    name: tbs.subject,
    nameDer: new Uint8Array(AsnConvert.serialize(tbs.subject)),
    spki,
    publicKey,
    keyId,
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

/**
 * A serial number in hex as the app stores it (lower case, no leading zero octets) from the
 * DER INTEGER contents, so that the same certificate always has the same key in every lookup.
 */
export function serialToHex(integerBytes: Uint8Array | ArrayBuffer): string {
  const hex = toHex(integerBytes).replace(/^(00)+/, '');
  return hex === '' ? '00' : hex;
}

/** DER INTEGER contents for a positive serial given in hex (adds the 00 octet a high bit needs). */
export function serialFromHex(hex: string): ArrayBuffer {
  const clean = hex.toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]+$/.test(clean)) throw new Error(`序列号格式错误：${hex}`);
  let even = clean.length % 2 === 1 ? `0${clean}` : clean;
  even = even.replace(/^(00)+(?=..)/, '');
  if (parseInt(even.slice(0, 2), 16) >= 0x80) even = `00${even}`;
  const bytes = Buffer.from(even, 'hex');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
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
