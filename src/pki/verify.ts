/**
 * Signature verification for anything signed under CertDesk's key families: CSRs, certificates,
 * seals, OCSP requests. Dispatches on the curve named in the signer's SubjectPublicKeyInfo, so a
 * caller never chooses the algorithm (and cannot be talked into the wrong one by the message).
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { children, readExact, Tag } from './der.ts';
import { ecCurveOf, sm2CurveOid, sm2PublicKeyFromSpki, sm2Verify } from './sm2.ts';
import type { KeyFamily } from './signer.ts';

export const p256CurveOid = '1.2.840.10045.3.1.7';

/** The key family of a SubjectPublicKeyInfo, or undefined for anything else (RSA, other curves). */
export function spkiFamily(spki: Uint8Array): KeyFamily | undefined {
  try {
    const [algorithm] = children(readExact(spki, Tag.SEQUENCE));
    if (!algorithm) return undefined;
    const curve = ecCurveOf(algorithm.raw);
    if (curve === sm2CurveOid) return 'sm2';
    if (curve === p256CurveOid) return 'p256';
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when `signature` (DER SEQUENCE { r, s }) is a valid signature over `data` by the key in
 * `spki`: ECDSA-with-SHA256 for P-256, SM2-with-SM3 and the default ID for SM2. Never throws.
 */
export function verifySignature(spki: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    switch (spkiFamily(spki)) {
      case 'p256': {
        const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
        return nodeVerify('sha256', data, { key, dsaEncoding: 'der' }, signature);
      }
      case 'sm2':
        return sm2Verify(sm2PublicKeyFromSpki(spki), data, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}
