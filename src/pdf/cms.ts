/**
 * The CMS half of a PAdES signature: a detached CAdES SignedData over the digest of a PDF's
 * signed byte ranges (ETSI EN 319 122-1 baseline B-B as PAdES uses it), and its verification.
 * Knows nothing of PDF syntax; sign.ts and inspect.ts put it into and take it out of /Contents.
 *
 * Signed attributes: content-type (id-data), message-digest and ESS signing-certificate-v2
 * (RFC 5035), which binds the signer's certificate to the signature as every baseline level
 * requires. No signing-time: ETSI EN 319 142-1 (PAdES) says the claimed time is the signature
 * dictionary's /M and that the signing-time attribute shall not be present — two clocks in one
 * signature could disagree, and readers such as poppler show /M. Verification is cms-verify.ts.
 */
import { createHash } from 'node:crypto';
import {
  Attribute,
  CMSVersion,
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
import { tbsFields } from '../pki/certificate-info.ts';
import type { Signer } from '../pki/signer.ts';
import { children, equalBytes, readTlv, tlv } from '../pki/der.ts';
import { PdfSignError } from './errors.ts';

// equalBytes moved to pki/der.ts (seal had a copy); kept importable from here.
export { equalBytes };

/** id-aa-signingCertificateV2 (RFC 5035). */
export const id_signingCertificateV2 = '1.2.840.113549.1.9.16.2.47';
export const id_sha256 = '2.16.840.1.101.3.4.2.1';
export const id_ecdsaWithSHA256 = '1.2.840.10045.4.3.2';

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
export class SigningCertificateV2 {
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

const SIGNED_DATA_OID = new Uint8Array(AsnConvert.serialize(new ObjectIdentifierValue(id_signedData)));

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
      spki: Uint8Array.from(tbsFields(der).spki.raw),
      sha256: createHash('sha256').update(der).digest(),
    };
    facts.set(der, known);
  }
  return known;
}

export interface CmsSigningInput {
  signer: Signer;
  /** The signer's certificate, DER. */
  certificate: Uint8Array;
  /** Issuing CA certificates, DER, nearest first (the root may be included). */
  chain: readonly Uint8Array[];
}

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
    throw new PdfSignError(
      'PDF_SIGN_UNSUPPORTED_KEY',
      'PDF 签名仅支持 P-256（ECDSA）密钥：SM2 签名无法被通用阅读器验证 / ' +
        'PDF signatures need a P-256 key: common readers cannot verify SM2',
    );
  }
  const cert = certificateFacts(input.certificate);
  if (!equalBytes(cert.spki, signer.spki)) {
    throw new PdfSignError(
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
  const signedData = new Uint8Array(
    AsnConvert.serialize(
      new SignedData({
        version: CMSVersion.v1,
        digestAlgorithms: new DigestAlgorithmIdentifiers([new DigestAlgorithmIdentifier({ algorithm: id_sha256 })]),
        encapContentInfo: new EncapsulatedContentInfo({ eContentType: id_data }),
        signerInfos: new SignerInfos([signerInfo]),
      }),
    ),
  );
  // The certificates go in as the bytes their issuer signed, [0] IMPLICIT between the content
  // info and the signer infos: re-encoding them could alter a byte, and cost ~0.7 ms each.
  const [version, digestAlgorithms, encapContentInfo, signerInfos] = children(readTlv(signedData)).map((e) => e.raw);
  const withCertificates = tlv(
    0x30,
    version!,
    digestAlgorithms!,
    encapContentInfo!,
    tlv(0xa0, input.certificate, ...input.chain),
    signerInfos!,
  );
  return tlv(0x30, SIGNED_DATA_OID, tlv(0xa0, withCertificates));
}

/** Bytes to reserve in /Contents for a signature by this signer and these certificates. */
export function signatureSizeBound(input: CmsSigningInput): number {
  const certificates = [input.certificate, ...input.chain].reduce((sum, c) => sum + c.length, 0);
  const issuer = AsnConvert.serialize(certificateFacts(input.certificate).parsed.tbsCertificate.issuer);
  // Beside the certificates: the issuer name twice (sid and ESS), the attributes, a 72-byte
  // ECDSA signature and the framing, well under 1 KB; sign.ts refuses an overflow.
  return certificates + 2 * issuer.byteLength + 1024;
}
