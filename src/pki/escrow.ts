/**
 * The KM archive (密钥托管): private keys the CA generates for subscribers — the encryption key of
 * an SM2 dual pair — are kept encrypted at rest, for lawful recovery. Not a CA key store: those
 * keys never sign for the CA, and the archive must stay readable whichever store (files, a PKCS#11
 * token) holds the CA's own keys.
 *
 * PassphraseEscrow writes a standard EncryptedPrivateKeyInfo (PBES2, PBKDF2-HMAC-SHA256,
 * AES-256-CBC) under the CA key passphrase, with the file key store's 200,000 rounds: a database
 * dump is no cheaper to attack than the key files, and `openssl pkcs8 -inform DER -passin`
 * recovers a record without this code. PBKDF2 runs once per process (one salt per process, off
 * the event loop), not per issuance; every record still has its own IV. A key wrapped by a token
 * (C_WrapKey under an HSM-held key) is where this goes once the CA's keys all live on one.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../domain/errors.ts';
import { decryptPkcs8WithKey, derivePbes2Key, encryptPkcs8WithKey, readPbes2, WrongPasswordError, type Pbes2Key } from './pbes2.ts';

export interface KeyEscrow {
  /** Seals an unencrypted PKCS#8 PrivateKeyInfo for storage. */
  escrow(pkcs8: Uint8Array): Promise<Uint8Array>;
  /** The PKCS#8 back; an AppError when this escrow cannot open the record. */
  recover(escrowed: Uint8Array): Promise<Uint8Array>;
}

export const escrowErrors = {
  passphraseMissing: () => new AppError('ESCROW_PASSPHRASE_MISSING', '未设置密钥托管口令（CA 私钥保护口令，至少 8 个字符），无法托管加密私钥', 500),
  unreadable: () => new AppError('ESCROW_UNREADABLE', '托管的私钥无法用本机的 CA 私钥保护口令解密（可能由使用另一口令的实例托管）', 500),
} as const;

const ITERATIONS = 200_000;

export class PassphraseEscrow implements KeyEscrow {
  /** Derived keys by salt and rounds: ~0.4 s each here, so derived once. */
  private readonly keys = new Map<string, Promise<Pbes2Key>>();
  private readonly salt = randomBytes(16);

  constructor(private readonly passphrase: string) {
    if (passphrase.length < 8) throw escrowErrors.passphraseMissing();
  }

  async escrow(pkcs8: Uint8Array): Promise<Uint8Array> {
    return encryptPkcs8WithKey(pkcs8, await this.key(this.salt, ITERATIONS));
  }

  async recover(escrowed: Uint8Array): Promise<Uint8Array> {
    const { salt, iterations } = readPbes2(escrowed);
    try {
      return decryptPkcs8WithKey(escrowed, (await this.key(salt, iterations)).key);
    } catch (error) {
      if (error instanceof WrongPasswordError) throw escrowErrors.unreadable();
      throw error;
    }
  }

  private key(salt: Uint8Array, iterations: number): Promise<Pbes2Key> {
    const id = `${Buffer.from(salt).toString('hex')}:${iterations}`;
    let key = this.keys.get(id);
    if (!key) this.keys.set(id, (key = derivePbes2Key(this.passphrase, salt, iterations)));
    return key;
  }
}
