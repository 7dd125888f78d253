/**
 * PKCS#10 certificate requests from USB keys and openssl: parse, check proof of possession (the
 * request's own signature; SM2 with the default ID), hand back only the public key. The subject
 * of the certificate comes from the verified application, so the CSR's subject is informational.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { Name } from '@peculiar/asn1-x509';
import { AppError } from '../domain/errors.ts';
import { nameToText } from './certificate-info.ts';
import { children, fromPem, oidToString, readExact, Tag } from './der.ts';
import { signatureOids, type KeyFamily } from './signer.ts';
import { sm2PublicKeyFromSpki, sm2Spki } from './sm2.ts';
import { spkiFamily, verifySignature } from './verify.ts';

export interface VerifiedCsr {
  readonly family: KeyFamily;
  /** The requester's SubjectPublicKeyInfo (DER), proven to be held by whoever signed the CSR. */
  readonly spki: Uint8Array;
  /** The subject as the requester wrote it, for display only. */
  readonly requestedSubject: string;
}

export const csrErrors = {
  malformed: () => new AppError('CSR_MALFORMED', '证书请求格式错误，请上传 PEM 或 DER 格式的 PKCS#10 证书请求'),
  unsupportedKey: () => new AppError('CSR_UNSUPPORTED_KEY', '证书请求的密钥类型不受支持，仅支持 SM2 或 ECC P-256'),
  algorithmMismatch: () => new AppError('CSR_ALGORITHM_MISMATCH', '证书请求的签名算法与密钥类型不符（SM2 应为 SM2-with-SM3，P-256 应为 ECDSA-with-SHA256）'),
  badSignature: () => new AppError('CSR_BAD_SIGNATURE', '证书请求签名无效'),
} as const;

interface RequestParts {
  /** CertificationRequestInfo as received: what the signature covers. */
  info: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  algorithm: string;
  signature: Uint8Array;
}

/**
 * The parts of a PKCS#10 request, read by walking its DER (RFC 2986): asn1-schema's parser cost
 * more than checking the signature. The subject is parsed only when asked for (display only).
 */
function readRequest(input: string | Uint8Array): RequestParts {
  try {
    const der = fromPem(input);
    const parts = children(readExact(der, Tag.SEQUENCE));
    const [infoTlv, algorithmTlv, signatureTlv] = parts;
    if (parts.length !== 3 || infoTlv?.tag !== Tag.SEQUENCE || algorithmTlv?.tag !== Tag.SEQUENCE || signatureTlv?.tag !== Tag.BIT_STRING) throw csrErrors.malformed();
    const fields = children(infoTlv);
    const [version, subject, spki, attributes] = fields;
    if (fields.length !== 4 || version?.tag !== Tag.INTEGER || subject?.tag !== Tag.SEQUENCE || spki?.tag !== Tag.SEQUENCE || attributes?.tag !== 0xa0) throw csrErrors.malformed();
    if (version.content.length !== 1 || version.content[0] !== 0) throw csrErrors.malformed();
    const [algorithm] = children(algorithmTlv);
    if (algorithm?.tag !== Tag.OID) throw csrErrors.malformed();
    // A BIT STRING of whole octets: the DER SEQUENCE { r, s }.
    if (signatureTlv.content[0] !== 0) throw csrErrors.malformed();
    return { info: infoTlv.raw, subject: subject.raw, spki: Uint8Array.from(spki.raw), algorithm: oidToString(algorithm.content), signature: signatureTlv.content.subarray(1) };
  } catch {
    throw csrErrors.malformed();
  }
}

/** Parses and verifies a CSR (PEM text, PEM bytes or DER); throws AppError with a Chinese message. */
export function verifyCsr(input: string | Uint8Array): VerifiedCsr {
  const request = readRequest(input);
  const family = spkiFamily(request.spki);
  if (!family) throw csrErrors.unsupportedKey();
  if (request.algorithm !== signatureOids[family]) throw csrErrors.algorithmMismatch();
  // Verified over the bytes as received, not a re-encoding: a re-encoded info could differ.
  if (!verifySignature(request.spki, request.info, request.signature)) throw csrErrors.badSignature();
  // Some USB keys write SM2 keys with 1.2.156.10197.1.301 as the algorithm itself; certificates
  // carry the standard id-ecPublicKey form that OpenSSL and GM/T 0015 readers expect.
  const normalized = family === 'sm2' ? sm2Spki(sm2PublicKeyFromSpki(request.spki)) : request.spki;
  const subject = request.subject;
  return {
    family,
    spki: normalized,
    get requestedSubject() {
      return nameToText(AsnConvert.parse(subject, Name));
    },
  };
}
