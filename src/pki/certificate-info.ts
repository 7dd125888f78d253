/**
 * Reading certificates back: the few fields the rest of CertDesk stores and shows (serial, unit
 * name and USCC, issuer, validity, key), the exact bytes of the fields that issuing, CRL, OCSP and
 * seals copy from a CA certificate, its key identifier, and serial numbers between hex and DER.
 * Parsing is @peculiar/asn1-x509's; it is not on a hot path.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, type Name } from '@peculiar/asn1-x509';
import { children, equalBytes, fromPem, oid, readExact, readTlv, Tag, type Tlv } from './der.ts';
import { keyIdentifier } from './extensions.ts';
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
  const fields = tbsFields(der);
  const spki = Uint8Array.from(fields.spki.raw);
  return {
    serialHex: serialToHex(tbs.serialNumber),
    subject: summarize(tbs.subject),
    issuer: summarize(tbs.issuer),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    spki,
    family: spkiFamily(spki),
    tbs: Uint8Array.from(fields.tbs.raw),
    signature: new Uint8Array(cert.signatureValue),
    signatureOid: cert.signatureAlgorithm.algorithm,
  };
}

/** The TBSCertificate and the fields of it copied elsewhere, as views into the certificate's DER. */
export function tbsFields(certificate: Uint8Array): { tbs: Tlv; subject: Tlv; spki: Tlv; extensions: Tlv | undefined } {
  const [tbs] = children(readExact(certificate, Tag.SEQUENCE));
  if (!tbs) throw new Error('bad certificate');
  const fields = children(tbs);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[offset + 4];
  const spki = fields[offset + 5];
  if (!subject || !spki) throw new Error('bad certificate');
  return { tbs, subject, spki, extensions: fields.find((f) => f.tag === 0xa3) };
}

/** The subjectKeyIdentifier a certificate declares, or the RFC 5280 method-1 value of its key. */
export function certificateKeyIdentifier(certificate: Uint8Array): Uint8Array {
  const { spki, extensions } = tbsFields(certificate);
  if (extensions) {
    for (const e of children(readTlv(extensions.content))) {
      const [id, ...rest] = children(e);
      if (id && equalBytes(id.raw, oid('2.5.29.14'))) {
        const value = rest[rest.length - 1];
        if (value) return Uint8Array.from(readTlv(value.content).content);
      }
    }
  }
  return keyIdentifier(spki.raw);
}

/**
 * A serial number in hex as the app stores it (lower case, no leading zero octets) from the
 * DER INTEGER contents, so that the same certificate always has the same key in every lookup.
 */
export function serialToHex(integerBytes: Uint8Array | ArrayBuffer): string {
  const hex = Buffer.from(integerBytes instanceof ArrayBuffer ? new Uint8Array(integerBytes) : integerBytes)
    .toString('hex')
    .replace(/^(00)+/, '');
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
