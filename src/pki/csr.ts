/**
 * PKCS#10 certificate requests from USB keys and openssl: parse, check proof of possession (the
 * request's own signature; SM2 with the default ID), hand back only the public key. The subject
 * of the certificate comes from the verified application, so the CSR's subject is informational.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { AppError } from '../domain/errors.ts';
import { nameToText } from './certificate-info.ts';
import { children, fromPem, readExact, Tag } from './der.ts';
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

function readRequest(input: string | Uint8Array): { der: Uint8Array; request: CertificationRequest } {
  try {
    const der = fromPem(input);
    readExact(der, Tag.SEQUENCE);
    return { der, request: AsnConvert.parse(der, CertificationRequest) };
  } catch {
    throw csrErrors.malformed();
  }
}

/** Parses and verifies a CSR (PEM text, PEM bytes or DER); throws AppError with a Chinese message. */
export function verifyCsr(input: string | Uint8Array): VerifiedCsr {
  const { der, request } = readRequest(input);
  const info = request.certificationRequestInfo;
  if (info.version !== 0) throw csrErrors.malformed();
  const spki = new Uint8Array(AsnConvert.serialize(info.subjectPKInfo));
  const family = spkiFamily(spki);
  if (!family) throw csrErrors.unsupportedKey();
  if (request.signatureAlgorithm.algorithm !== signatureOids[family]) throw csrErrors.algorithmMismatch();
  // Verify over the bytes as received, not a re-encoding: a re-encoded info could differ.
  const [infoTlv] = children(readExact(der, Tag.SEQUENCE));
  if (!infoTlv) throw csrErrors.malformed();
  if (!verifySignature(spki, infoTlv.raw, new Uint8Array(request.signature))) throw csrErrors.badSignature();
  // Some USB keys write SM2 keys with 1.2.156.10197.1.301 as the algorithm itself; certificates
  // carry the standard id-ecPublicKey form that OpenSSL and GM/T 0015 readers expect.
  const normalized = family === 'sm2' ? sm2Spki(sm2PublicKeyFromSpki(spki)) : spki;
  return { family, spki: normalized, requestedSubject: nameToText(info.subject) };
}
