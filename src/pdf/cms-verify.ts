/**
 * Verification of a detached CMS signature over a PDF's byte ranges, whoever made it: the
 * message digest, then the signature with the key of the certificate the SignerInfo names
 * (ECDSA or RSA PKCS #1 v1.5 with SHA-1/2). Whether that certificate deserves trust is not
 * judged here; the certificates are returned exactly as embedded, for pki/ to judge.
 */
import { X509Certificate, createHash, verify as nodeVerify } from 'node:crypto';
import { ContentInfo, type SignerInfo, SignedData, id_messageDigest, id_signedData } from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { SigningCertificateV2, equalBytes, id_ecdsaWithSHA256, id_sha256, id_signingCertificateV2 } from './cms.ts';
import { children, readTlv, type Tlv } from '../pki/der.ts';

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
  /** The ESS signing-certificate-v2 attribute names the signer certificate; absent without one. */
  certificateBound?: boolean;
  /** Why it does not verify, for logs (English); absent when it does. */
  problem?: string;
}

const bytesOf = (b: ArrayBuffer): Uint8Array => new Uint8Array(b);

/**
 * Whether the ESS signing-certificate-v2 attribute (when present) names `certificate` by its
 * hash: without that binding another certificate with the same key could claim the signature.
 */
function boundCertificate(signerInfo: SignerInfo, certificate: Uint8Array): boolean | undefined {
  const value = signerInfo.signedAttrs?.find((a) => a.attrType === id_signingCertificateV2)?.attrValues[0];
  if (value === undefined) return undefined;
  try {
    const first = AsnConvert.parse(value, SigningCertificateV2).certs[0];
    const hashName = DIGESTS[first?.hashAlgorithm?.algorithm ?? id_sha256];
    if (first === undefined || hashName === undefined) return false;
    return equalBytes(bytesOf(first.certHash.buffer), createHash(hashName).update(certificate).digest());
  } catch {
    return false;
  }
}

/** The index of the certificate the SignerInfo names, by issuer and serial or by key id. */
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

interface Located {
  signedData: SignedData;
  /** The certificates as embedded, in order. */
  certificates: Uint8Array[];
  /** The first SignerInfo's signed attributes as encoded, with the [0] tag. */
  signedAttrs?: Uint8Array;
}

/**
 * The parts of the CMS that must be taken as written rather than re-encoded: asn1-schema keeps
 * no raw copy of a SET OF, and re-encoding what another program signed might not give back the
 * signed bytes. ContentInfo → [0] → SignedData → (certificates [0], signerInfos SET).
 */
function locate(cms: Uint8Array, signedData: SignedData): Located {
  const childrenOf = (parent: Tlv | undefined): Tlv[] => (parent === undefined ? [] : children(parent));
  const signedDataTlv = childrenOf(childrenOf(readTlv(cms))[1])[0];
  const parts = childrenOf(signedDataTlv);
  const certificateSet = parts.find((e) => e.tag === 0xa0);
  const certificates = childrenOf(certificateSet)
    .filter((e) => e.tag === 0x30)
    .map((e) => e.raw.slice());
  const signerInfo = childrenOf(parts.at(-1))[0];
  const attrs = childrenOf(signerInfo).find((e) => e.tag === 0xa0);
  return {
    signedData,
    certificates,
    ...(attrs === undefined ? {} : { signedAttrs: attrs.raw.slice() }),
  };
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
  let located: Located;
  let parsed: Certificate[];
  try {
    const info = AsnConvert.parse(cms, ContentInfo);
    if (info.contentType !== id_signedData) return failed('not a CMS SignedData');
    located = locate(cms, AsnConvert.parse(info.content, SignedData));
    parsed = located.certificates.map((der) => AsnConvert.parse(der, Certificate));
  } catch (error) {
    return failed(`unreadable CMS: ${(error as Error).message}`);
  }
  const signerInfo = located.signedData.signerInfos[0];
  if (signerInfo === undefined) return failed('no SignerInfo');
  const index = findSigner(signerInfo, parsed);
  const raw = located.certificates;
  const certificates = index < 0 ? raw : [raw[index]!, ...raw.filter((_, i) => i !== index)];
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

  // Without signed attributes the signature is over the content itself (RFC 5652, 5.4): the
  // digest then matches exactly when the signature verifies.
  let digestMatches: boolean | undefined;
  let toBeVerified: Uint8Array;
  const rawAttrs = located.signedAttrs;
  if (signerInfo.signedAttrs === undefined || rawAttrs === undefined) {
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
  digestMatches ??= signatureVerifies;
  const certificateBound = boundCertificate(signerInfo, signerCertificate);
  const problem = !digestMatches
    ? 'the document digest does not match: the signed content was changed'
    : !signatureVerifies
      ? 'the signature does not verify with the signer certificate'
      : certificateBound === false
        ? 'the signing-certificate attribute names another certificate'
        : undefined;
  return {
    certificates,
    signerCertificate,
    digestMatches,
    signatureVerifies,
    ...(certificateBound === undefined ? {} : { certificateBound }),
    ...(problem === undefined ? {} : { problem }),
  };
}
