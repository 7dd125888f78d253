/**
 * Private keys of either family as one shape: unencrypted PKCS#8 DER plus the Signer over it.
 * Key stores keep the PKCS#8 (encrypted at rest); everything that signs sees only the Signer.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { children, readTlv, Tag } from './der.ts';
import { p256Signer, type KeyFamily, type Signer } from './signer.ts';
import { ecCurveOf, exportSm2Pkcs8, generateSm2Key, importSm2Pkcs8, sm2CurveOid, sm2Signer, type Sm2KeyPair } from './sm2.ts';
import { p256CurveOid } from './verify.ts';

export interface PrivateKey {
  readonly family: KeyFamily;
  /** Unencrypted PKCS#8 PrivateKeyInfo (DER); OpenSSL reads it as `openssl pkey -inform DER`. */
  readonly pkcs8: Uint8Array;
  readonly signer: Signer;
}

/** An SM2 key pair held as a PrivateKey (the encryption key of a dual pair, for its PKCS#12 bag). */
export function sm2PrivateKey(pair: Sm2KeyPair): PrivateKey {
  return { family: 'sm2', pkcs8: exportSm2Pkcs8(pair), signer: sm2Signer(pair) };
}

export function generateKey(family: KeyFamily): PrivateKey {
  if (family === 'sm2') return sm2PrivateKey(generateSm2Key());
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { family, pkcs8: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })), signer: p256Signer(privateKey) };
}

/** The family of an unencrypted PKCS#8 key, from its AlgorithmIdentifier; throws for others. */
export function pkcs8Family(pkcs8: Uint8Array): KeyFamily {
  const [, algorithm] = children(readTlv(pkcs8));
  if (algorithm?.tag !== Tag.SEQUENCE) throw new Error('not a PKCS#8 PrivateKeyInfo');
  const curve = ecCurveOf(algorithm.raw);
  if (curve === sm2CurveOid) return 'sm2';
  if (curve === p256CurveOid) return 'p256';
  throw new Error(`unsupported key curve ${curve}`);
}

export function privateKeyFromPkcs8(pkcs8: Uint8Array): PrivateKey {
  const family = pkcs8Family(pkcs8);
  if (family === 'sm2') return sm2PrivateKey(importSm2Pkcs8(pkcs8));
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  return { family, pkcs8: Uint8Array.from(pkcs8), signer: p256Signer(key) };
}
