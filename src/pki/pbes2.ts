/**
 * Password-encrypted PKCS#8 (EncryptedPrivateKeyInfo, RFC 8018 PBES2 with PBKDF2-HMAC-SHA256 and
 * AES-256-CBC): the one format both the PKCS#12 bundles and the file key store use, because
 * `openssl pkey -passin` and `openssl pkcs12` read it without special options.
 */
import { createCipheriv, createDecipheriv, pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { bytesToBigint, children, derNull, octets, oid, oidToString, readTlv, seq, Tag, uint } from './der.ts';

const oids = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
} as const;

export class WrongPasswordError extends Error {
  constructor() {
    super('wrong password or corrupted key');
    this.name = 'WrongPasswordError';
  }
}

/**
 * A PBES2 key: PBKDF2 is the whole cost of PBES2, so a store that encrypts many keys under one
 * password derives it once per salt and reuses it (each encryption still has its own IV).
 */
export interface Pbes2Key {
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly key: Uint8Array;
}

/** PBKDF2-HMAC-SHA256 off the event loop (libuv's thread pool); the password as its UTF-8 bytes. */
export async function derivePbes2Key(password: string, salt: Uint8Array, iterations: number): Promise<Pbes2Key> {
  const key = await promisify(pbkdf2)(password, salt, iterations, 32, 'sha256');
  return { salt: Uint8Array.from(salt), iterations, key: new Uint8Array(key) };
}

/** Encrypts an unencrypted PKCS#8 PrivateKeyInfo under a derived key; a fresh IV each time. */
export function encryptPkcs8WithKey(pkcs8: Uint8Array, { salt, iterations, key }: Pbes2Key): Uint8Array {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  const algorithm = seq(
    oid(oids.pbes2),
    seq(
      seq(oid(oids.pbkdf2), seq(octets(salt), uint(iterations), uint(32), seq(oid(oids.hmacWithSha256), derNull))),
      seq(oid(oids.aes256Cbc), octets(iv)),
    ),
  );
  return seq(algorithm, octets(encrypted));
}

/** Encrypts an unencrypted PKCS#8 PrivateKeyInfo; the password is used as its UTF-8 bytes. */
export function encryptPkcs8(pkcs8: Uint8Array, password: string, iterations: number): Uint8Array {
  const salt = randomBytes(16);
  return encryptPkcs8WithKey(pkcs8, { salt, iterations, key: pbkdf2Sync(password, salt, iterations, 32, 'sha256') });
}

interface Pbes2Parts {
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly iv: Uint8Array;
  readonly data: Uint8Array;
}

/** The parameters and ciphertext of what `encryptPkcs8` (or OpenSSL 3 with its defaults) wrote. */
export function readPbes2(encrypted: Uint8Array): Pbes2Parts {
  const fail = (): never => {
    throw new Error('unsupported EncryptedPrivateKeyInfo: PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC expected');
  };
  const [algorithm, data] = children(readTlv(encrypted));
  const [scheme, params] = algorithm ? children(algorithm) : [];
  if (!scheme || oidToString(scheme.content) !== oids.pbes2 || !params || data?.tag !== Tag.OCTET_STRING) return fail();
  const [kdf, enc] = children(params);
  const [kdfOid, kdfParams] = kdf ? children(kdf) : [];
  const [encOid, iv] = enc ? children(enc) : [];
  if (!kdfOid || oidToString(kdfOid.content) !== oids.pbkdf2 || !kdfParams) return fail();
  if (!encOid || oidToString(encOid.content) !== oids.aes256Cbc || iv?.tag !== Tag.OCTET_STRING) return fail();
  const [salt, count, ...rest] = children(kdfParams);
  if (salt?.tag !== Tag.OCTET_STRING || count?.tag !== Tag.INTEGER) return fail();
  const prf = rest.find((r) => r.tag === Tag.SEQUENCE);
  const prfOid = prf ? children(prf)[0] : undefined;
  // PBKDF2's PRF defaults to HMAC-SHA1 when absent; we only accept SHA-256.
  if (!prfOid || oidToString(prfOid.content) !== oids.hmacWithSha256) return fail();
  return { salt: salt.content, iterations: Number(bytesToBigint(count.content)), iv: iv.content, data: data.content };
}

/** Decrypts with a derived key (which must have the record's salt); WrongPasswordError on failure. */
export function decryptPkcs8WithKey(encrypted: Uint8Array, key: Uint8Array): Uint8Array {
  const { iv, data } = readPbes2(encrypted);
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, iv);
    const plain = Buffer.concat([decipher.update(data), decipher.final()]);
    const inner = readTlv(plain);
    if (inner.tag !== Tag.SEQUENCE || inner.raw.length !== plain.length) throw new WrongPasswordError();
    return new Uint8Array(plain);
  } catch {
    throw new WrongPasswordError();
  }
}

/** Decrypts what `encryptPkcs8` (or OpenSSL 3 with its defaults) wrote; WrongPasswordError on failure. */
export function decryptPkcs8(encrypted: Uint8Array, password: string): Uint8Array {
  const { salt, iterations } = readPbes2(encrypted);
  return decryptPkcs8WithKey(encrypted, pbkdf2Sync(password, salt, iterations, 32, 'sha256'));
}
