/**
 * Reading certificates back: the few fields the rest of CertDesk stores and shows (serial, unit
 * name and USCC, issuer, validity, key). Parsing is @peculiar/asn1-x509's; it is not on a hot path.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, type Name } from '@peculiar/asn1-x509';
import { children, fromPem, readExact, Tag } from './der.ts';
import { attributeOids } from './name.ts';
import type { KeyFamily } from './signer.ts';
import { spkiFamily } from './verify.ts';

export interface NameSummary {
  readonly organization?: string;
  readonly commonName?: string;
  /** Subject serialNumber: the USCC for unit certificates (see profiles.ts). */
  readonly uscc?: string;
  /** The whole name, RFC 4514-like, for display and logs (most significant RDN first). */
  readonly text: string;
}

export interface CertificateInfo {
  /** Lower-case hex of the serial number's magnitude, no leading zeros: the key CRL and OCSP use. */
  readonly serialHex: string;
  readonly subject: NameSummary;
  readonly issuer: NameSummary;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: Uint8Array;
  readonly family: KeyFamily | undefined;
  /** The exact TBSCertificate bytes and signature, for verification against the issuer's key. */
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  readonly signatureOid: string;
}

const shortNames: Record<string, string> = {
  [attributeOids.country]: 'C',
  [attributeOids.organization]: 'O',
  [attributeOids.organizationalUnit]: 'OU',
  [attributeOids.commonName]: 'CN',
  [attributeOids.serialNumber]: 'serialNumber',
};

/** A Name as `C=CN, O=…, CN=…` for display and logs (unknown attributes by OID). */
export function nameToText(name: Name): string {
  return summarize(name).text;
}

function summarize(name: Name): NameSummary {
  const values = new Map<string, string>();
  const parts: string[] = [];
  for (const rdn of name) {
    for (const atv of rdn) {
      const value = atv.value.toString();
      if (!values.has(atv.type)) values.set(atv.type, value);
      parts.push(`${shortNames[atv.type] ?? atv.type}=${value}`);
    }
  }
  const organization = values.get(attributeOids.organization);
  const commonName = values.get(attributeOids.commonName);
  const uscc = values.get(attributeOids.serialNumber);
  return {
    ...(organization === undefined ? {} : { organization }),
    ...(commonName === undefined ? {} : { commonName }),
    ...(uscc === undefined ? {} : { uscc }),
    text: parts.join(', '),
  };
}

/** Parses a certificate (PEM or DER). Throws on malformed input; says nothing about trust. */
export function parseCertificate(input: string | Uint8Array): CertificateInfo {
  const der = fromPem(input, typeof input === 'string' ? 'CERTIFICATE' : undefined);
  const cert = AsnConvert.parse(der, Certificate);
  const tbs = cert.tbsCertificate;
  const serial = Buffer.from(tbs.serialNumber).toString('hex').replace(/^(00)+(?=.)/, '');
  const spki = new Uint8Array(AsnConvert.serialize(tbs.subjectPublicKeyInfo));
  return {
    serialHex: serial,
    subject: summarize(tbs.subject),
    issuer: summarize(tbs.issuer),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    spki,
    family: spkiFamily(spki),
    tbs: Uint8Array.from(children(readExact(der, Tag.SEQUENCE))[0]!.raw),
    signature: new Uint8Array(cert.signatureValue),
    signatureOid: cert.signatureAlgorithm.algorithm,
  };
}
