/**
 * Where CA keys live. Code that signs asks a KeyStore for a Signer by label and never sees key
 * bytes; which store is used (files encrypted at rest, a PKCS#11 token — pkcs11-keystore.ts — or
 * both, by key family) is configuration.
 *
 * FileKeyStore keeps one `<label>.key.pem` per key: a standard PKCS#8 EncryptedPrivateKeyInfo
 * (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC) that `openssl pkey -passin` reads, so an operator can
 * back up, inspect or move keys with stock tools. It refuses to open with a missing or wrong
 * passphrase rather than failing later at the first signature.
 *
 * Besides signing keys a store holds secret SM4 keys (the USB keys' unlock master key,
 * usb-key-unlock.ts), seen as a BlockCipher: in files as `<label>.secret.pem`, the same PBES2
 * EncryptedPrivateKeyInfo around a PKCS#8-shaped PrivateKeyInfo { 0, SM4 (1.2.156.10197.1.104),
 * OCTET STRING key } — encrypted, backed up and re-encrypted like the signing keys.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../domain/errors.ts';
import { createCaCertificates, type CaIdentity, type CaOptions } from './certificate.ts';
import { children, fromPem, octets, oid, oidToString, readTlv, seq, toPem, uint } from './der.ts';
import { generateKey, privateKeyFromPkcs8 } from './keys.ts';
import { decryptPkcs8, encryptPkcs8, WrongPasswordError } from './pbes2.ts';
import type { KeyFamily, Signer } from './signer.ts';
import { sm4Cipher, SM4_BLOCK, type BlockCipher } from './usb-key-unlock.ts';

export interface KeyStore {
  /** Generates a key of `family` under `label` (never replacing an existing one) and returns its signer. */
  create(label: string, family: KeyFamily): Promise<Signer>;
  /** The signer for an existing key; a KeyStore error if there is none. */
  signer(label: string): Promise<Signer>;
  /** Labels of the keys held. */
  labels(): Promise<string[]>;
  /** Generates a secret SM4 key under `label` (never replacing one): it encrypts inside the store. */
  createSecret(label: string): Promise<BlockCipher>;
  /** The secret key under `label`, or undefined when this store holds none. */
  secret(label: string): Promise<BlockCipher | undefined>;
  /** Releases what the store holds open (a PKCS#11 session); its signers stop working. */
  close(): Promise<void>;
}

export const keyStoreErrors = {
  passphraseMissing: () =>
    new AppError('KEYSTORE_PASSPHRASE_MISSING', '未设置 CA 私钥保护口令，无法启动：请在环境变量中配置口令（至少 8 个字符）', 500),
  passphraseWrong: (label: string) =>
    new AppError('KEYSTORE_PASSPHRASE_WRONG', `CA 私钥保护口令错误，无法解密密钥“${label}”，拒绝启动`, 500),
  badLabel: (label: string) => new AppError('KEYSTORE_BAD_LABEL', `密钥标签“${label}”无效：只能使用小写字母、数字和连字符`, 500),
  exists: (label: string) => new AppError('KEYSTORE_KEY_EXISTS', `密钥“${label}”已存在，不会覆盖 CA 私钥`, 409),
  missing: (label: string) => new AppError('KEYSTORE_KEY_MISSING', `密钥“${label}”不存在`, 500),
} as const;

const LABEL = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Key labels are file names in one store and CKA_LABELs in another: the same rule for both. */
export function isKeyLabel(label: string): boolean {
  return LABEL.test(label);
}
const SUFFIX = '.key.pem';
/** Secret (symmetric) keys: beside the signing keys, under their own suffix so that `labels()` stays signing keys. */
export const SECRET_SUFFIX = '.secret.pem';
/** Every file a FileKeyStore writes: what backups copy and passphrase rotation re-encrypts. */
export const isKeyStoreFile = (name: string) => name.endsWith(SUFFIX) || name.endsWith(SECRET_SUFFIX);
const SM4_OID = '1.2.156.10197.1.104';

function secretInfo(key: Uint8Array): Uint8Array {
  return seq(uint(0), seq(oid(SM4_OID)), octets(key));
}

function secretFromInfo(info: Uint8Array): Uint8Array {
  const [, algorithm, key] = children(readTlv(info));
  const [algorithmOid] = algorithm ? children(algorithm) : [];
  if (!algorithmOid || oidToString(algorithmOid.content) !== SM4_OID || key?.content.length !== SM4_BLOCK) throw new Error('not an SM4 secret key');
  return key.content;
}

const MIN_PASSPHRASE = 8;
/** PBKDF2 rounds for keys at rest: decrypted once per process, so the cost is paid at start-up. */
const ITERATIONS = 200_000;

export class FileKeyStore implements KeyStore {
  private readonly signers = new Map<string, Signer>();
  private readonly secrets = new Map<string, BlockCipher>();

  private constructor(
    private readonly directory: string,
    private readonly passphrase: string,
  ) {}

  /**
   * Opens (creating the directory if needed) and decrypts every key already there, so a wrong
   * passphrase stops the process now with a message naming the key.
   */
  static async open(directory: string, passphrase: string | undefined): Promise<FileKeyStore> {
    if (passphrase === undefined || passphrase.length < MIN_PASSPHRASE) throw keyStoreErrors.passphraseMissing();
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const store = new FileKeyStore(directory, passphrase);
    for (const label of await store.labels()) await store.signer(label);
    for (const name of await readdir(directory)) if (name.endsWith(SECRET_SUFFIX)) await store.secret(name.slice(0, -SECRET_SUFFIX.length));
    return store;
  }

  private path(label: string, suffix = SUFFIX): string {
    if (!isKeyLabel(label)) throw keyStoreErrors.badLabel(label);
    return join(this.directory, `${label}${suffix}`);
  }

  /** Writes a new key file, never over an existing one. */
  private async writeNew(path: string, label: string, plaintext: Uint8Array): Promise<void> {
    const pem = toPem('ENCRYPTED PRIVATE KEY', encryptPkcs8(plaintext, this.passphrase, ITERATIONS));
    try {
      // O_EXCL: two operators running `ca init` at once must not overwrite each other's key.
      await writeFile(path, pem, { mode: 0o600, flag: constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw keyStoreErrors.exists(label);
      throw error;
    }
  }

  /** The decrypted content of a key file, or undefined when there is none. */
  private async readKey(path: string, label: string): Promise<Uint8Array | undefined> {
    let pem: string;
    try {
      pem = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return decryptPkcs8(fromPem(pem, 'ENCRYPTED PRIVATE KEY'), this.passphrase);
    } catch (error) {
      if (error instanceof WrongPasswordError) throw keyStoreErrors.passphraseWrong(label);
      throw error;
    }
  }

  async labels(): Promise<string[]> {
    const names = await readdir(this.directory);
    return names.filter((n) => n.endsWith(SUFFIX)).map((n) => n.slice(0, -SUFFIX.length)).sort();
  }

  async create(label: string, family: KeyFamily): Promise<Signer> {
    const key = generateKey(family);
    await this.writeNew(this.path(label), label, key.pkcs8);
    this.signers.set(label, key.signer);
    return key.signer;
  }

  async signer(label: string): Promise<Signer> {
    const cached = this.signers.get(label);
    if (cached) return cached;
    const pkcs8 = await this.readKey(this.path(label), label);
    if (!pkcs8) throw keyStoreErrors.missing(label);
    const signer = privateKeyFromPkcs8(pkcs8).signer;
    this.signers.set(label, signer);
    return signer;
  }

  async createSecret(label: string): Promise<BlockCipher> {
    const key = randomBytes(SM4_BLOCK);
    await this.writeNew(this.path(label, SECRET_SUFFIX), label, secretInfo(key));
    const cipher = sm4Cipher(key);
    key.fill(0);
    this.secrets.set(label, cipher);
    return cipher;
  }

  async secret(label: string): Promise<BlockCipher | undefined> {
    const cached = this.secrets.get(label);
    if (cached) return cached;
    const info = await this.readKey(this.path(label, SECRET_SUFFIX), label);
    if (!info) return undefined;
    const cipher = sm4Cipher(secretFromInfo(info));
    info.fill(0);
    this.secrets.set(label, cipher);
    return cipher;
  }

  /** Nothing is held open: keys are read when needed and kept in memory. */
  async close(): Promise<void> {}
}

/**
 * Each key family in the store configured for it, as one KeyStore: P-256 on a PKCS#11 token and
 * SM2 in the encrypted file store, since softhsm2 and most HSMs sold outside China have no SM2.
 * A label is unique across the stores, so `signer(label)` needs no family.
 */
export class FamilyRoutedKeyStore implements KeyStore {
  private readonly stores: readonly KeyStore[];

  /** `secrets`: where secret keys are made and kept (a PKCS#11 token where the CA has one). */
  constructor(
    private readonly routes: Readonly<Record<KeyFamily, KeyStore>>,
    private readonly secrets: KeyStore,
  ) {
    this.stores = [...new Set([...Object.values(routes), secrets])];
  }

  private async holder(label: string): Promise<KeyStore | undefined> {
    for (const store of this.stores) if ((await store.labels()).includes(label)) return store;
    return undefined;
  }

  async create(label: string, family: KeyFamily): Promise<Signer> {
    if (await this.holder(label)) throw keyStoreErrors.exists(label);
    return this.routes[family].create(label, family);
  }

  async signer(label: string): Promise<Signer> {
    const store = await this.holder(label);
    if (!store) throw keyStoreErrors.missing(label);
    return store.signer(label);
  }

  async labels(): Promise<string[]> {
    const all = await Promise.all(this.stores.map((s) => s.labels()));
    return all.flat().sort();
  }

  createSecret(label: string): Promise<BlockCipher> {
    return this.secrets.createSecret(label);
  }

  secret(label: string): Promise<BlockCipher | undefined> {
    return this.secrets.secret(label);
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(this.stores.map((s) => s.close()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/**
 * `certdesk ca init` for one family: root and issuing keys created inside `store`, labelled with
 * the CA names (`<family>-root`, `<family>-issuing`), and their certificates.
 */
export async function initCaInStore(store: KeyStore, options: CaOptions): Promise<{ root: CaIdentity; issuing: CaIdentity }> {
  const root = await store.create(`${options.family}-root`, options.family);
  const issuing = await store.create(`${options.family}-issuing`, options.family);
  return createCaCertificates(options, { root, issuing });
}
