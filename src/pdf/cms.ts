/**
 * The CMS half of a PAdES signature: a detached CAdES SignedData over the digest of a PDF's
 * signed byte ranges (ETSI EN 319 122-1 baseline B-B as PAdES uses it), and its verification.
 * Knows nothing of PDF syntax; sign.ts and inspect.ts put it into and take it out of /Contents.
 *
 * Signed attributes: content-type (id-data), message-digest and ESS signing-certificate-v2
 * (RFC 5035), which binds the signer's certificate to the signature as every baseline level
 * requires. No signing-time: ETSI EN 319 142-1 (PAdES) says the claimed time is the signature
 * dictionary's /M and that the signing-time attribute shall not be present — two clocks in one
 * signature could disagree, and readers such as poppler show /M.
 */
import { X509Certificate, createHash, verify as nodeVerify } from 'node:crypto';
import {
  Attribute,
  CMSVersion,
  CertificateChoices,
  CertificateSet,
  ContentInfo,
  DigestAlgorithmIdentifier,
  DigestAlgorithmIdentifiers,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignatureAlgorithmIdentifier,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
  id_contentType,
  id_data,
  id_messageDigest,
  id_signedData,
} from '@peculiar/asn1-cms';
import {
  AsnArray,
  AsnConvert,
  AsnIntegerArrayBufferConverter,
  AsnProp,
  AsnPropTypes,
  AsnType,
  AsnTypeTypes,
  OctetString,
} from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, GeneralName, GeneralNames } from '@peculiar/asn1-x509';
import type { Signer } from '../pki/signer.ts';

/** id-aa-signingCertificateV2 (RFC 5035). */
export const id_signingCertificateV2 = '1.2.840.113549.1.9.16.2.47';
const id_sha256 = '2.16.840.1.101.3.4.2.1';
const id_ecdsaWithSHA256 = '1.2.840.10045.4.3.2';

/*
 * RFC 5035 structures. The project's TypeScript does not enable legacy decorators, so the
 * asn1-schema decorators are applied as plain calls after each class.
 */

/** IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber } */
class IssuerSerial {
  issuer = new GeneralNames();
  serialNumber = new ArrayBuffer(0);
  constructor(params: Partial<IssuerSerial> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: GeneralNames })(IssuerSerial.prototype, 'issuer');
AsnProp({ type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter })(
  IssuerSerial.prototype,
  'serialNumber',
);

/**
 * ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT id-sha256, certHash OCTET STRING,
 * issuerSerial IssuerSerial OPTIONAL }. SHA-256 is the default, so DER leaves it out.
 */
class EssCertIdV2 {
  hashAlgorithm?: AlgorithmIdentifier;
  certHash = new OctetString();
  issuerSerial?: IssuerSerial;
  constructor(params: Partial<EssCertIdV2> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: AlgorithmIdentifier, optional: true })(EssCertIdV2.prototype, 'hashAlgorithm');
AsnProp({ type: OctetString })(EssCertIdV2.prototype, 'certHash');
AsnProp({ type: IssuerSerial, optional: true })(EssCertIdV2.prototype, 'issuerSerial');

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL } */
class SigningCertificateV2 {
  certs: EssCertIdV2[] = [];
  constructor(params: Partial<SigningCertificateV2> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: EssCertIdV2, repeated: 'sequence' })(SigningCertificateV2.prototype, 'certs');

/** A bare OBJECT IDENTIFIER, the value of the content-type attribute. */
class ObjectIdentifierValue {
  value = '';
  constructor(value = '') {
    this.value = value;
  }
}
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(ObjectIdentifierValue.prototype, 'value');
AsnType({ type: AsnTypeTypes.Choice })(ObjectIdentifierValue);

/** The signed attributes as DER signs them: a SET OF Attribute. */
class AttributeSet extends AsnArray<Attribute> {}
AsnType({ type: AsnTypeTypes.Set, itemType: Attribute })(AttributeSet);

/** The certificate facts a signature needs, read once per certificate byte array. */
interface CertificateFacts {
  der: Uint8Array;
  parsed: Certificate;
  spki: Uint8Array;
  sha256: Uint8Array;
}
const facts = new WeakMap<Uint8Array, CertificateFacts>();

function certificateFacts(der: Uint8Array): CertificateFacts {
  let known = facts.get(der);
  if (known === undefined) {
    const parsed = AsnConvert.parse(der, Certificate);
    known = {
      der,
      parsed,
      spki: new Uint8Array(AsnConvert.serialize(parsed.tbsCertificate.subjectPublicKeyInfo)),
      sha256: createHash('sha256').update(der).digest(),
    };
    facts.set(der, known);
  }
  return known;
}

/** Refused before anything is signed; `message` is Chinese first, then English. */
export class CmsSignError extends Error {
  readonly code: 'PDF_SIGN_UNSUPPORTED_KEY' | 'PDF_SIGN_KEY_MISMATCH';

  constructor(code: CmsSignError['code'], message: string) {
    super(message);
    this.name = 'CmsSignError';
    this.code = code;
  }
}

export interface CmsSigningInput {
  signer: Signer;
  /** The signer's certificate, DER. */
  certificate: Uint8Array;
  /** Issuing CA certificates, DER, nearest first (the root may be included). */
  chain: readonly Uint8Array[];
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && Buffer.compare(a, b) === 0;

function attribute(type: string, value: ArrayBuffer): Attribute {
  return new Attribute({ attrType: type, attrValues: [value] });
}

/**
 * The DER ContentInfo of a detached CAdES signature over `digest` (the SHA-256 of the signed
 * byte ranges). Only P-256 is accepted: the signature must verify in readers anyone has
 * (poppler/NSS, Adobe), and none of them verifies SM2.
 */
export function cadesDetachedSignature(digest: Uint8Array, input: CmsSigningInput): Uint8Array {
  const { signer } = input;
  if (signer.family !== 'p256' || signer.signatureOid !== id_ecdsaWithSHA256) {
    throw new CmsSignError(
      'PDF_SIGN_UNSUPPORTED_KEY',
      'PDF 签名仅支持 P-256（ECDSA）密钥：SM2 签名无法被通用阅读器验证 / ' +
        'PDF signatures need a P-256 key: common readers cannot verify SM2',
    );
  }
  const cert = certificateFacts(input.certificate);
  if (!equalBytes(cert.spki, signer.spki)) {
    throw new CmsSignError(
      'PDF_SIGN_KEY_MISMATCH',
      '签名密钥与签名证书的公钥不一致 / The signing key does not match the certificate',
    );
  }
  const { issuer, serialNumber } = cert.parsed.tbsCertificate;

  const essCertId = new EssCertIdV2({
    certHash: new OctetString(cert.sha256),
    issuerSerial: new IssuerSerial({
      issuer: new GeneralNames([new GeneralName({ directoryName: issuer })]),
      serialNumber,
    }),
  });
  const attrs = [
    attribute(id_contentType, AsnConvert.serialize(new ObjectIdentifierValue(id_data))),
    attribute(id_messageDigest, AsnConvert.serialize(new OctetString(digest))),
    attribute(
      id_signingCertificateV2,
      AsnConvert.serialize(new SigningCertificateV2({ certs: [essCertId] })),
    ),
  ];
  // DER orders a SET OF by the encodings of its members; the signed bytes and the bytes in the
  // SignerInfo must be the same, so the order is fixed here rather than left to the encoder.
  const encoded = attrs.map((a) => ({ a, der: Buffer.from(AsnConvert.serialize(a)) }));
  encoded.sort((x, y) => Buffer.compare(x.der, y.der));
  const signedAttrs = encoded.map((e) => e.a);
  const toBeSigned = new Uint8Array(AsnConvert.serialize(new AttributeSet(signedAttrs)));

  const signerInfo = new SignerInfo({
    version: CMSVersion.v1,
    sid: new SignerIdentifier({ issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer, serialNumber }) }),
    digestAlgorithm: new DigestAlgorithmIdentifier({ algorithm: id_sha256 }),
    signedAttrs,
    signatureAlgorithm: new SignatureAlgorithmIdentifier({ algorithm: id_ecdsaWithSHA256 }),
    signature: new OctetString(signer.sign(toBeSigned)),
  });
  const certificates = [input.certificate, ...input.chain].map(
    (der) => new CertificateChoices({ certificate: certificateFacts(der).parsed }),
  );
  const signedData = new SignedData({
    version: CMSVersion.v1,
    digestAlgorithms: new DigestAlgorithmIdentifiers([new DigestAlgorithmIdentifier({ algorithm: id_sha256 })]),
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: id_data }),
    certificates: new CertificateSet(certificates),
    signerInfos: new SignerInfos([signerInfo]),
  });
  const contentInfo = new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signedData) });
  return new Uint8Array(AsnConvert.serialize(contentInfo));
}

/** Bytes to reserve in /Contents for a signature by this signer and these certificates. */
export function signatureSizeBound(input: CmsSigningInput): number {
  const certificates = [input.certificate, ...input.chain].reduce((sum, c) => sum + c.length, 0);
  const issuer = AsnConvert.serialize(certificateFacts(input.certificate).parsed.tbsCertificate.issuer);
  // Beside the certificates: the issuer name twice (sid and ESS), the attributes, a 72-byte
  // ECDSA signature and the framing, well under 1 KB; sign.ts refuses an overflow.
  return certificates + 2 * issuer.byteLength + 1024;
}

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  [id_sha256]: 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
/** Signature algorithms by OID; `undefined` hash means "the SignerInfo's digest algorithm". */
const SIGNATURES: Record<string, { hash?: string }> = {
  [id_ecdsaWithSHA256]: { hash: 'sha256' },
  '1.2.840.10045.4.3.3': { hash: 'sha384' },
  '1.2.840.10045.4.3.4': { hash: 'sha512' },
  '1.2.840.113549.1.1.1': {},
  '1.2.840.113549.1.1.11': { hash: 'sha256' },
  '1.2.840.113549.1.1.12': { hash: 'sha384' },
  '1.2.840.113549.1.1.13': { hash: 'sha512' },
  '1.2.840.10045.2.1': {},
};

export interface CmsVerification {
  /** Every certificate the signature carries, DER, the signer's first. */
  certificates: Uint8Array[];
  /** The signer's certificate (DER), when the signature names one it carries. */
  signerCertificate?: Uint8Array;
  /** The message-digest attribute equals the digest of the signed bytes. */
  digestMatches: boolean;
  /** The signature over the signed attributes verifies with the signer certificate's key. */
  signatureVerifies: boolean;
  /** Why it does not verify, for logs (English); absent when it does. */
  problem?: string;
}

const bytesOf = (b: ArrayBuffer): Uint8Array => new Uint8Array(b);

interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the contents. */
  body: number;
  end: number;
}

/** The DER elements laid end to end in `der` between `from` and `to`. */
function elements(der: Uint8Array, from: number, to: number): Tlv[] {
  const out: Tlv[] = [];
  let at = from;
  while (at + 2 <= to) {
    const tag = der[at]!;
    let length = der[at + 1]!;
    let body = at + 2;
    if (length >= 0x80) {
      const count = length & 0x7f;
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + der[body + i]!;
      body += count;
    }
    out.push({ tag, start: at, body, end: body + length });
    at = body + length;
  }
  return out;
}

/**
 * The signed attributes exactly as the signer encoded them (the [0] element of the first
 * SignerInfo): asn1-schema keeps no raw copy of a SET OF, and re-encoding a signature made by
 * someone else's software might not give back the bytes that were signed.
 */
function rawSignedAttributes(cms: Uint8Array): Uint8Array | undefined {
  const inside = (tlv: Tlv | undefined): Tlv[] => (tlv === undefined ? [] : elements(cms, tlv.body, tlv.end));
  const contentInfo = elements(cms, 0, cms.length)[0];
  const explicit = inside(contentInfo)[1];
  const signedData = inside(explicit)[0];
  const signerInfos = inside(signedData).at(-1);
  const signerInfo = inside(signerInfos)[0];
  const attrs = inside(signerInfo).find((e) => e.tag === 0xa0);
  return attrs === undefined ? undefined : cms.slice(attrs.start, attrs.end);
}

function findSigner(signerInfo: SignerInfo, certificates: Certificate[]): number {
  const { issuerAndSerialNumber: ias, subjectKeyIdentifier: ski } = signerInfo.sid;
  return certificates.findIndex((c) => {
    if (ias !== undefined) {
      return (
        equalBytes(bytesOf(c.tbsCertificate.serialNumber), bytesOf(ias.serialNumber)) &&
        equalBytes(bytesOf(AsnConvert.serialize(c.tbsCertificate.issuer)), bytesOf(AsnConvert.serialize(ias.issuer)))
      );
    }
    const ext = c.tbsCertificate.extensions?.find((e) => e.extnID === '2.5.29.14');
    if (ski === undefined || ext === undefined) return false;
    return equalBytes(bytesOf(AsnConvert.parse(ext.extnValue, OctetString).buffer), bytesOf(ski.buffer));
  });
}

/**
 * Checks a detached CMS signature against `signed` (the PDF's byte ranges, in order): the
 * digest, then the signature with the key of the certificate it names. Trust in that
 * certificate is not judged here. Malformed input gives `problem`, never an exception.
 */
export function verifyCadesDetached(cms: Uint8Array, signed: readonly Uint8Array[]): CmsVerification {
  const failed = (problem: string, certificates: Uint8Array[] = []): CmsVerification => ({
    certificates,
    digestMatches: false,
    signatureVerifies: false,
    problem,
  });
  let signedData: SignedData;
  try {
    const info = AsnConvert.parse(cms, ContentInfo);
    if (info.contentType !== id_signedData) return failed('not a CMS SignedData');
    signedData = AsnConvert.parse(info.content, SignedData);
  } catch (error) {
    return failed(`unreadable CMS: ${(error as Error).message}`);
  }
  const parsed = (signedData.certificates ?? [])
    .map((c) => c.certificate)
    .filter((c): c is Certificate => c !== undefined);
  const signerInfo = signedData.signerInfos[0];
  if (signerInfo === undefined) return failed('no SignerInfo');
  const index = findSigner(signerInfo, parsed);
  const ordered = index < 0 ? parsed : [parsed[index]!, ...parsed.filter((_, i) => i !== index)];
  const certificates = ordered.map((c) => bytesOf(AsnConvert.serialize(c)));
  if (index < 0) return failed('the signer certificate is not in the signature', certificates);
  const signerCertificate = certificates[0]!;

  const digestName = DIGESTS[signerInfo.digestAlgorithm.algorithm];
  const scheme = SIGNATURES[signerInfo.signatureAlgorithm.algorithm];
  if (digestName === undefined || scheme === undefined) {
    return { ...failed('unsupported algorithm', certificates), signerCertificate };
  }
  const hash = createHash(digestName);
  for (const part of signed) hash.update(part);
  const digest = hash.digest();

  let digestMatches: boolean;
  let toBeVerified: Uint8Array;
  const rawAttrs = rawSignedAttributes(cms);
  if (signerInfo.signedAttrs === undefined || rawAttrs === undefined) {
    // No signed attributes: the signature is over the content itself (RFC 5652, 5.4).
    digestMatches = true;
    toBeVerified = Buffer.concat(signed);
  } else {
    const md = signerInfo.signedAttrs.find((a) => a.attrType === id_messageDigest)?.attrValues[0];
    digestMatches = md !== undefined && equalBytes(bytesOf(AsnConvert.parse(md, OctetString).buffer), digest);
    // The attributes are signed as a SET OF (tag 0x31), stored with the tag [0] IMPLICIT.
    toBeVerified = rawAttrs;
    toBeVerified[0] = 0x31;
  }
  let signatureVerifies = false;
  try {
    const key = new X509Certificate(signerCertificate).publicKey;
    signatureVerifies = nodeVerify(
      scheme.hash ?? digestName,
      toBeVerified,
      { key, dsaEncoding: 'der' },
      bytesOf(signerInfo.signature.buffer),
    );
  } catch {
    signatureVerifies = false;
  }
  const problem = !digestMatches
    ? 'the document digest does not match: the signed content was changed'
    : !signatureVerifies
      ? 'the signature does not verify with the signer certificate'
      : undefined;
  return {
    certificates,
    signerCertificate,
    digestMatches,
    signatureVerifies,
    ...(problem === undefined ? {} : { problem }),
  };
}
