/**
 * SM2 public-key encryption (GB/T 32918.4-2016 / GM/T 0003.4-2012) with SM3, encoded as the
 * GM/T 0009 `SM2Cipher` — the DER that OpenSSL 3's `pkeyutl -encrypt/-decrypt` reads and writes
 * for SM2 keys, and the form the digital envelope of a dual pair carries (sm2-envelope.ts):
 *
 *   SM2Cipher ::= SEQUENCE {
 *     XCoordinate INTEGER,               -- C1 = k·G, x
 *     YCoordinate INTEGER,               -- C1, y
 *     HASH        OCTET STRING (SIZE 32), -- C3 = SM3(x2 ‖ M ‖ y2)
 *     CipherText  OCTET STRING }          -- C2 = M ⊕ KDF(x2 ‖ y2, |M|)
 *
 * i.e. C1C3C2 order, which GM/T 0009 fixes for the ASN.1 form (the raw C1C2C3 concatenation of
 * GB/T 32918.4 is not used here). Checked against GM/T 0009-2012 §7.2 as quoted in GmSSL 2.x
 * (guanzhi/GmSSL crypto/sm2/sm2_asn1.c, `SM2CiphertextValue`) and in public SM2 notes
 * (wei-jianmin/study, "sm2规范0003、0004、0009学习记录"), and by round trips with `openssl pkeyutl`
 * in sm2-encryption.test.ts.
 *
 * Points: C1 = k·G goes through OpenSSL's constant-time ladder (sm2.ts `mulBase`); k·P_B and
 * d_B·C1 need the whole point (x2 and y2), which ECDH does not give, so they use noble's
 * `multiply` (constant-time algorithm, BigInt arithmetic). k is fresh per message and protects only
 * that message; decryption with a private key runs when an envelope is opened (the USB key does
 * that itself; here: tests and recovery tools), never on a request path.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { bigintToBytes, bytesToBigint, children, DerError, octets, readExact, seq, Tag, uintBytes } from './der.ts';
import { mulBase, randomScalar, Sm2Point, type Sm2KeyPair } from './sm2.ts';

export class Sm2DecryptError extends Error {
  constructor() {
    super('SM2 decryption failed: wrong key or corrupted ciphertext');
    this.name = 'Sm2DecryptError';
  }
}

/** GB/T 32918.4 §5.4.3 KDF with SM3: SM3(Z ‖ ct) for ct = 1, 2, … (32-bit big-endian), cut to `length`. */
function kdf(z: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const counter = new Uint8Array(4);
  for (let ct = 1, offset = 0; offset < length; ct++, offset += 32) {
    new DataView(counter.buffer).setUint32(0, ct);
    out.set(createHash('sm3').update(z).update(counter).digest().subarray(0, length - offset), offset);
  }
  return out;
}

/** x2 ‖ y2 of k·P: 64 bytes. */
function sharedPoint(point: InstanceType<typeof Sm2Point>, k: bigint): Uint8Array {
  return point.multiply(k).toBytes(false).subarray(1);
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

const c3Of = (xy: Uint8Array, message: Uint8Array): Uint8Array =>
  createHash('sm3').update(xy.subarray(0, 32)).update(message).update(xy.subarray(32)).digest();

/** Encrypts `message` (at least one byte) to a 65-byte uncompressed SM2 public key; SM2Cipher DER. */
export function sm2Encrypt(publicKey: Uint8Array, message: Uint8Array): Uint8Array {
  if (message.length === 0) throw new RangeError('SM2 encryption needs a non-empty message');
  const recipient = Sm2Point.fromBytes(publicKey);
  // h = 1 on this curve: [h]P_B ≠ O is the validity check itself.
  recipient.assertValidity();
  for (;;) {
    const k = randomScalar();
    const xy = sharedPoint(recipient, k);
    const t = kdf(xy, message.length);
    // §6.1 A5: an all-zero t would send M in the clear; pick another k.
    if (t.every((b) => b === 0)) continue;
    const c1 = mulBase(k);
    return seq(uintBytes(c1.subarray(1, 33)), uintBytes(c1.subarray(33)), octets(c3Of(xy, message)), octets(xor(message, t)));
  }
}

/** The parts of an SM2Cipher; throws DerError when it is not one. */
export function decodeSm2Cipher(der: Uint8Array): { c1: Uint8Array; c3: Uint8Array; c2: Uint8Array } {
  const parts = children(readExact(der, Tag.SEQUENCE));
  const [x, y, hash, text] = parts;
  if (parts.length !== 4 || x?.tag !== Tag.INTEGER || y?.tag !== Tag.INTEGER || hash?.tag !== Tag.OCTET_STRING || text?.tag !== Tag.OCTET_STRING) {
    throw new DerError('not an SM2Cipher');
  }
  if (hash.content.length !== 32 || text.content.length === 0) throw new DerError('not an SM2Cipher');
  const coordinate = (v: Uint8Array): Uint8Array => {
    if ((v[0] ?? 0) & 0x80 || v.length > 33) throw new DerError('bad SM2Cipher coordinate');
    return bigintToBytes(bytesToBigint(v), 32);
  };
  const c1 = Uint8Array.of(4, ...coordinate(x.content), ...coordinate(y.content));
  return { c1, c3: hash.content, c2: text.content };
}

/** Decrypts an SM2Cipher with `key`; Sm2DecryptError for a wrong key, a bad C1 or a failed C3 check. */
export function sm2Decrypt(key: Sm2KeyPair, der: Uint8Array): Uint8Array {
  let parts: ReturnType<typeof decodeSm2Cipher>;
  let c1: InstanceType<typeof Sm2Point>;
  try {
    parts = decodeSm2Cipher(der);
    c1 = Sm2Point.fromBytes(parts.c1);
    c1.assertValidity();
  } catch {
    throw new Sm2DecryptError();
  }
  const xy = sharedPoint(c1, bytesToBigint(key.d));
  const t = kdf(xy, parts.c2.length);
  if (t.every((b) => b === 0)) throw new Sm2DecryptError();
  const message = xor(parts.c2, t);
  if (!timingSafeEqual(c3Of(xy, message), parts.c3)) throw new Sm2DecryptError();
  return message;
}
