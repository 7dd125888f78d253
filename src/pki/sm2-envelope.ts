/**
 * The digital envelope that carries the encryption key pair of an SM2 dual pair (GM/T 0015 双证书)
 * into the USB key: the key management side generates the encryption key pair, and seals it to the
 * USB key's *signing* public key, which is the only key the USB key has made itself.
 *
 * GM/T 0009-2012 §7.4 (SM2 密钥对保护数据格式; GM/T 0009-2023 only rewords §7.4):
 *
 *   SM2EnvelopedKey ::= SEQUENCE {
 *     symAlgID               AlgorithmIdentifier, -- SM4-ECB: 1.2.156.10197.1.104.1
 *     symEncryptedKey        SM2Cipher,           -- the 16-byte SM4 key, SM2-encrypted to the signing key
 *     Sm2PublicKey           SM2PublicKey,        -- BIT STRING 04 ‖ x ‖ y of the encryption key
 *     Sm2EncryptedPrivateKey BIT STRING }         -- SM4-ECB(the 32-byte big-endian scalar), no padding
 *
 * What we checked, with the project's search tool (read, not copied):
 *  - the structure and field order: GmSSL 2.x (guanzhi/GmSSL crypto/sm2/sm2_asn1.c, comment quoting
 *    GM/T 0009-2012), emmansun/gmsm sm2/sm2_envelopedkey.go (Go; writes SM4-ECB with NULL
 *    parameters, the 32-byte scalar without padding, and checks the unwrapped key against the
 *    public key), and public notes on GM/T 0009 (wei-jianmin/study; "sm2格式数字信封",
 *    blog.youkuaiyun.com/Tramp_1/article/details/112173136, also on www.mobibrw.com);
 *  - the 2023 revision: a comparison of GM/T 0009-2023 with 2012 (blog.csdn.net/samsho2/article/
 *    details/139912136) lists the §7.4 change as wording only;
 *  - the OIDs: GM/T 0006 (SM4 1.2.156.10197.1.104, SM4-ECB …104.1), as OpenSSL 3 lists them
 *    (`openssl list -cipher-algorithms`);
 *  - the USB key side: SKF (GM/T 0016) `ENVELOPEDKEYBLOB { Version = 1, ulSymmAlgID (ECB only),
 *    ulBits, cbEncryptedPriKey[64], PubKey ECCPUBLICKEYBLOB, ECCCipherBlob }` — the producer's tool
 *    copies these same fields, right-aligned in SKF's 64-byte coordinates, before
 *    `SKF_ImportECCKeyPair`; this DER is what it starts from.
 * Tests unwrap our envelopes with openssl commands alone (pkeyutl -decrypt, enc -sm4-ecb).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { bits, children, DerError, derNull, equalBytes, oid, oidToString, readExact, seq, Tag } from './der.ts';
import { sm2Decrypt, sm2Encrypt } from './sm2-encryption.ts';
import { assertSm2PublicKey, sm2KeyFromScalar, type Sm2KeyPair } from './sm2.ts';

export const sm4Oid = '1.2.156.10197.1.104';
export const sm4EcbOid = '1.2.156.10197.1.104.1';

export class EnvelopeError extends Error {
  constructor(reason: string) {
    super(`SM2 enveloped key rejected: ${reason}`);
    this.name = 'EnvelopeError';
  }
}

function sm4Ecb(direction: 'encrypt' | 'decrypt', key: Uint8Array, data: Uint8Array): Uint8Array {
  const cipher = direction === 'encrypt' ? createCipheriv('sm4-ecb', key, null) : createDecipheriv('sm4-ecb', key, null);
  cipher.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([cipher.update(data), cipher.final()]));
}

/** Seals `encryptionKey` to the USB key's signing public key (65 bytes, uncompressed); DER. */
export function sealEnvelopedKey(signingPublicKey: Uint8Array, encryptionKey: Sm2KeyPair): Uint8Array {
  assertSm2PublicKey(signingPublicKey);
  const symmetricKey = randomBytes(16);
  return seq(
    seq(oid(sm4EcbOid), derNull),
    sm2Encrypt(signingPublicKey, symmetricKey),
    bits(encryptionKey.publicKey),
    bits(sm4Ecb('encrypt', symmetricKey, encryptionKey.d)),
  );
}

/** The four fields of an SM2EnvelopedKey, unopened. */
export function decodeEnvelopedKey(der: Uint8Array) {
  const fields = children(readExact(der, Tag.SEQUENCE));
  const [algorithm, symEncryptedKey, publicKey, encryptedPrivateKey] = fields;
  if (fields.length !== 4 || algorithm?.tag !== Tag.SEQUENCE || symEncryptedKey?.tag !== Tag.SEQUENCE) throw new DerError('not an SM2EnvelopedKey');
  if (publicKey?.tag !== Tag.BIT_STRING || encryptedPrivateKey?.tag !== Tag.BIT_STRING) throw new DerError('not an SM2EnvelopedKey');
  const [algOid, params, ...more] = children(algorithm);
  if (algOid?.tag !== Tag.OID || more.length > 0 || (params && params.tag !== Tag.NULL)) throw new DerError('bad symAlgID');
  const bitString = (t: { content: Uint8Array }): Uint8Array => {
    if (t.content[0] !== 0) throw new DerError('BIT STRING with unused bits');
    return t.content.subarray(1);
  };
  return {
    symmetricAlgorithm: oidToString(algOid.content),
    symEncryptedKey: symEncryptedKey.raw,
    publicKey: bitString(publicKey),
    encryptedPrivateKey: bitString(encryptedPrivateKey),
  };
}

/**
 * Opens an envelope with the signing key pair: the encryption key pair, after checking that the
 * unwrapped scalar belongs to the public key the envelope names. EnvelopeError on any failure.
 */
export function openEnvelopedKey(signingKey: Sm2KeyPair, der: Uint8Array): Sm2KeyPair {
  let fields: ReturnType<typeof decodeEnvelopedKey>;
  try {
    fields = decodeEnvelopedKey(der);
  } catch (error) {
    throw new EnvelopeError(error instanceof Error ? error.message : 'malformed');
  }
  if (fields.symmetricAlgorithm !== sm4EcbOid && fields.symmetricAlgorithm !== sm4Oid) {
    throw new EnvelopeError(`unsupported symmetric algorithm ${fields.symmetricAlgorithm}`);
  }
  let symmetricKey: Uint8Array;
  try {
    symmetricKey = sm2Decrypt(signingKey, fields.symEncryptedKey);
  } catch {
    throw new EnvelopeError('the symmetric key does not decrypt with this signing key');
  }
  if (symmetricKey.length !== 16 || fields.encryptedPrivateKey.length % 16 !== 0) throw new EnvelopeError('wrong key or data length');
  let scalar = sm4Ecb('decrypt', symmetricKey, fields.encryptedPrivateKey);
  // SKF-minded writers put the scalar right-aligned in 64 bytes, as in ENVELOPEDKEYBLOB.
  if (scalar.length === 64 && scalar.subarray(0, 32).every((b) => b === 0)) scalar = scalar.subarray(32);
  if (scalar.length !== 32) throw new EnvelopeError('the private key is not 32 bytes');
  let key: Sm2KeyPair;
  try {
    key = sm2KeyFromScalar(scalar);
  } catch {
    throw new EnvelopeError('the private key is out of range');
  }
  if (!equalBytes(key.publicKey, fields.publicKey)) throw new EnvelopeError('the private key does not match the public key');
  return key;
}
