/**
 * What signs for the CA: a key in some store (file, PKCS#11) seen through one small interface.
 * Certificates, CRLs, OCSP responses, seals and PDF signatures are built by code that knows only
 * this interface; where the key lives is configuration, not a code path.
 */
import { createPublicKey, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';

/** The key families CertDesk issues under. */
export type KeyFamily = 'sm2' | 'p256';

/** Signature algorithm OIDs, as written into AlgorithmIdentifier. */
export const signatureOids = {
  /** ecdsa-with-SHA256 (RFC 5758); parameters absent. */
  p256: '1.2.840.10045.4.3.2',
  /** SM2-with-SM3 (GM/T 0006 / GB/T 33560); parameters absent. */
  sm2: '1.2.156.10197.1.501',
} as const satisfies Record<KeyFamily, string>;

export interface Signer {
  readonly family: KeyFamily;
  /** The OID of the signature algorithm this signer produces (see `signatureOids`). */
  readonly signatureOid: string;
  /** The signer's public key as a DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /**
   * Signs `data` (the whole message: the signer hashes it — SHA-256 for P-256; SM3 over Z_A ‖ M
   * with the default ID "1234567812345678" for SM2) and returns the DER `SEQUENCE { r, s }`.
   */
  sign(data: Uint8Array): Uint8Array;
}

/** A P-256 signer over a Node KeyObject (OpenSSL underneath). */
export function p256Signer(privateKey: KeyObject): Signer {
  const spki = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  return {
    family: 'p256',
    signatureOid: signatureOids.p256,
    spki,
    sign: (data) => new Uint8Array(nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'der' })),
  };
}

/** A fresh P-256 key pair, for tests and `ca init`. */
export function generateP256(): { privateKey: KeyObject; signer: Signer } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, signer: p256Signer(privateKey) };
}
