/**
 * CA keys on a PKCS#11 token (an HSM; softhsm2 in tests and demos): generated on the token,
 * never extractable, used through C_Sign. The token signs a digest that Node computes — SHA-256
 * for P-256 (CKM_ECDSA), SM3(Z_A ‖ M) for SM2 — and we turn its raw r ‖ s into DER, so a Signer
 * from here is interchangeable with one from the file store.
 *
 * SM2 is offered only when the operator names the device's vendor SM2 mechanism and the token
 * lists it (softhsm2 has none, and PKCS#11 2.40 defines none): there is no SM2 emulated in Node
 * behind a token's name. Every key proves itself once when loaded — a signature the token makes
 * must verify — so a mechanism that means something else stops the start, not a certificate.
 *
 * pkcs11js calls are synchronous, like Signer.sign: one session per store, and no call of ours
 * can interleave with another on it.
 *
 * Secret keys (the SM4 unlock master key): PKCS#11 2.40 defines no SM4 mechanism and softhsm2 has
 * none, so the token keeps the key as a private token object (CKO_SECRET_KEY, CKK_GENERIC_SECRET,
 * readable only after the user's login, like the key files only with the passphrase) and Node
 * computes SM4 with it. A device with a vendor SM4-ECB mechanism could encrypt on the device
 * instead; that is not done yet. A module is loaded and C_Initialize'd once per process and
 * finalised when its last store closes (a second C_Initialize in one process is an error).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { realpathSync } from 'node:fs';
import pkcs11js from 'pkcs11js';
import { AppError } from '../domain/errors.ts';
import { bits, bytesToBigint, equalBytes, oid, readTlv, seq, Tag } from './der.ts';
import { isKeyLabel, keyStoreErrors, type KeyStore } from './keystore.ts';
import { signatureOids, type KeyFamily, type Signer } from './signer.ts';
import { sm4Cipher, SM4_BLOCK, type BlockCipher } from './usb-key-unlock.ts';
import { ecPublicKeyOid, encodeSignature, sm2CurveOid, sm2Za } from './sm2.ts';
import { p256CurveOid, verifySignature } from './verify.ts';

type Pkcs11 = InstanceType<typeof pkcs11js.PKCS11>;
type Handle = Buffer;

export interface Pkcs11Options {
  /** The vendor's PKCS#11 library (softhsm2 on Debian: /usr/lib/softhsm/libsofthsm2.so). */
  modulePath: string;
  tokenLabel: string;
  /** The token's user PIN: kept by the PKCS#11 library after login, never logged. */
  pin: string;
  /**
   * The device's SM2 signature mechanism (CKM_… number, vendor-defined): it must sign a 32-byte
   * digest e = SM3(Z_A ‖ M) and return r ‖ s. SM2 keys are generated with CKM_EC_KEY_PAIR_GEN on
   * the SM2 curve (1.2.156.10197.1.301). Unset: the token holds no SM2 keys.
   */
  sm2Mechanism?: number | undefined;
}

export const pkcs11Errors = {
  module: (path: string, reason: string) =>
    new AppError('KEYSTORE_PKCS11_MODULE', `无法加载 PKCS#11 模块“${path}”（${reason}）：请检查 CA_PKCS11_MODULE 和密码设备驱动是否已安装`, 500),
  tokenMissing: (label: string) =>
    new AppError(
      'KEYSTORE_TOKEN_MISSING',
      `找不到标签为“${label}”的密码设备令牌：请检查 CA_PKCS11_TOKEN_LABEL，以及令牌是否已插入并初始化`,
      500,
    ),
  tokenAmbiguous: (label: string) =>
    new AppError('KEYSTORE_TOKEN_AMBIGUOUS', `有多个标签为“${label}”的密码设备令牌，无法确定使用哪一个：请为令牌设置不同的标签`, 500),
  pinWrong: (label: string) =>
    new AppError('KEYSTORE_PIN_WRONG', `密码设备用户口令（PIN）错误，无法登录令牌“${label}”，拒绝启动`, 500),
  pinLocked: (label: string) =>
    new AppError('KEYSTORE_PIN_LOCKED', `令牌“${label}”的用户口令（PIN）已锁定或尚未设置，请由安全管理员处理后再启动`, 500),
  sm2Unsupported: (reason: string) =>
    new AppError(
      'KEYSTORE_SM2_UNSUPPORTED',
      `密码设备不支持 SM2 签名机制（${reason}），不能在令牌上生成 SM2 密钥：请把 SM2 密钥保存在加密文件密钥库中（CA_PKCS11_FAMILIES 不含 sm2）`,
      500,
    ),
  keyUnsupported: (label: string) =>
    new AppError('KEYSTORE_KEY_UNSUPPORTED', `令牌中的密钥“${label}”不是 P-256 或 SM2 椭圆曲线密钥，无法用于 CA 签名`, 500),
  publicKeyMissing: (label: string) =>
    new AppError('KEYSTORE_PUBLIC_KEY_MISSING', `令牌中找不到密钥“${label}”的公钥对象，无法使用该密钥`, 500),
  selfTestFailed: (label: string) =>
    new AppError('KEYSTORE_SIGNATURE_INVALID', `密钥“${label}”在密码设备上产生的签名未通过验证，拒绝使用：请检查令牌的签名机制配置`, 500),
  device: (method: string, code: string) =>
    new AppError('KEYSTORE_DEVICE_ERROR', `密码设备操作失败（${method}：${code}）`, 500),
  closed: () => new AppError('KEYSTORE_CLOSED', '密码设备密钥库已关闭，无法签名', 500),
} as const;

const curveParams: Record<KeyFamily, Uint8Array> = { p256: oid(p256CurveOid), sm2: oid(sm2CurveOid) };
const selfTestMessage = new TextEncoder().encode('CertDesk PKCS#11 key self-test');

function isPkcs11Error(error: unknown, ...codes: number[]): boolean {
  return error instanceof pkcs11js.Pkcs11Error && (codes.length === 0 || codes.includes(error.code));
}

/** A PKCS#11 failure as an AppError naming the call and the CKR_ code; anything else unchanged. */
function deviceError(error: unknown): unknown {
  if (error instanceof pkcs11js.Pkcs11Error) return pkcs11Errors.device(error.method || 'PKCS#11', error.message);
  return error;
}

// One loaded, initialised library per module file in this process, shared by its stores.
interface Login {
  /** SHA-256 of the PIN the token accepted: a second store on the same token must bring the same PIN. */
  readonly pinDigest: Buffer;
  stores: number;
}
interface Library {
  readonly pkcs11: Pkcs11;
  stores: number;
  readonly logins: Map<string, Login>;
}
const libraries = new Map<string, Library>();

function acquireLibrary(modulePath: string): { key: string; library: Library } {
  let key: string;
  try {
    // The Debian path is a symlink: two spellings of one library must share its initialisation.
    key = realpathSync(modulePath);
  } catch {
    throw pkcs11Errors.module(modulePath, '文件不存在');
  }
  let library = libraries.get(key);
  if (!library) {
    const pkcs11 = new pkcs11js.PKCS11();
    try {
      pkcs11.load(key);
    } catch (error) {
      throw pkcs11Errors.module(modulePath, error instanceof Error ? error.message : String(error));
    }
    try {
      pkcs11.C_Initialize();
    } catch (error) {
      pkcs11.close();
      throw deviceError(error);
    }
    library = { pkcs11, stores: 0, logins: new Map() };
    libraries.set(key, library);
  }
  library.stores += 1;
  return { key, library };
}

function releaseLibrary(key: string): void {
  const library = libraries.get(key);
  if (!library) return;
  library.stores -= 1;
  if (library.stores > 0) return;
  libraries.delete(key);
  try {
    library.pkcs11.C_Finalize();
  } finally {
    library.pkcs11.close();
  }
}

/** CKA_EC_POINT is a DER OCTET STRING around the point (PKCS#11 2.40); some devices give it bare. */
function ecPoint(value: Buffer): Uint8Array {
  if (value.length === 65 && value[0] === 0x04) return Uint8Array.from(value);
  const tlv = readTlv(value);
  if (tlv.tag !== Tag.OCTET_STRING || tlv.raw.length !== value.length) throw new Error('bad CKA_EC_POINT');
  return Uint8Array.from(tlv.content);
}

/** r ‖ s, each half the length, as the DER SEQUENCE { r, s } that Signer.sign returns. */
function rawToDer(raw: Buffer): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new Error(`unexpected raw signature length ${raw.length}`);
  const half = raw.length / 2;
  return encodeSignature(bytesToBigint(raw.subarray(0, half)), bytesToBigint(raw.subarray(half)));
}

export class Pkcs11KeyStore implements KeyStore {
  private readonly signers = new Map<string, Signer>();
  private closed = false;

  private constructor(
    private readonly pkcs11: Pkcs11,
    private readonly libraryKey: string,
    private readonly slotKey: string,
    private readonly session: Handle,
    /** The SM2 signature mechanism to use, or why SM2 cannot be used on this token. */
    private readonly sm2: { mechanism: number } | { refusal: string },
  ) {}

  /** Finds the token by label and logs in as its user; a wrong PIN or a missing token stops here. */
  static async open(options: Pkcs11Options): Promise<Pkcs11KeyStore> {
    const { key, library } = acquireLibrary(options.modulePath);
    const { pkcs11 } = library;
    let session: Handle | undefined;
    let login: { slot: string; entry: Login } | undefined;
    try {
      const slots = pkcs11
        .C_GetSlotList(true)
        .filter((slot) => pkcs11.C_GetTokenInfo(slot).label.trimEnd() === options.tokenLabel);
      const [slot] = slots;
      if (!slot) throw pkcs11Errors.tokenMissing(options.tokenLabel);
      if (slots.length > 1) throw pkcs11Errors.tokenAmbiguous(options.tokenLabel);
      session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      login = Pkcs11KeyStore.login(library, slot, session, options);

      const mechanisms = pkcs11.C_GetMechanismList(slot);
      const mechanism = options.sm2Mechanism;
      const sm2 =
        mechanism === undefined
          ? { refusal: '未配置 CA_PKCS11_SM2_MECHANISM' }
          : !mechanisms.includes(mechanism)
            ? { refusal: `令牌“${options.tokenLabel}”未列出机制 0x${mechanism.toString(16)}` }
            : !mechanisms.includes(pkcs11js.CKM_EC_KEY_PAIR_GEN)
              ? { refusal: `令牌“${options.tokenLabel}”不支持 CKM_EC_KEY_PAIR_GEN` }
              : { mechanism };
      return new Pkcs11KeyStore(pkcs11, key, login.slot, session, sm2);
    } catch (error) {
      try {
        if (session) pkcs11.C_CloseSession(session);
      } finally {
        if (login) Pkcs11KeyStore.logout(library, login.slot);
        releaseLibrary(key);
      }
      throw deviceError(error);
    }
  }

  /**
   * Logs the token's user in — once per token and process: PKCS#11 login state belongs to the
   * application, so a second store's session is already logged in and only its PIN is compared.
   */
  private static login(library: Library, slot: Handle, session: Handle, options: Pkcs11Options): { slot: string; entry: Login } {
    const slotKey = slot.toString('hex');
    const pinDigest = createHash('sha256').update(options.pin).digest();
    const known = library.logins.get(slotKey);
    if (known) {
      if (!timingSafeEqual(known.pinDigest, pinDigest)) throw pkcs11Errors.pinWrong(options.tokenLabel);
      known.stores += 1;
      return { slot: slotKey, entry: known };
    }
    const attempt = () => library.pkcs11.C_Login(session, pkcs11js.CKU_USER, options.pin);
    try {
      try {
        attempt();
      } catch (error) {
        // Logged in by someone else in this process: log out so that this PIN is really checked.
        if (!isPkcs11Error(error, pkcs11js.CKR_USER_ALREADY_LOGGED_IN)) throw error;
        library.pkcs11.C_Logout(session);
        attempt();
      }
    } catch (error) {
      if (isPkcs11Error(error, pkcs11js.CKR_PIN_INCORRECT, pkcs11js.CKR_PIN_INVALID, pkcs11js.CKR_PIN_LEN_RANGE)) {
        throw pkcs11Errors.pinWrong(options.tokenLabel);
      }
      if (isPkcs11Error(error, pkcs11js.CKR_PIN_LOCKED, pkcs11js.CKR_PIN_EXPIRED, pkcs11js.CKR_USER_PIN_NOT_INITIALIZED)) {
        throw pkcs11Errors.pinLocked(options.tokenLabel);
      }
      throw error;
    }
    const entry = { pinDigest, stores: 1 };
    library.logins.set(slotKey, entry);
    return { slot: slotKey, entry };
  }

  /** Forgets a store's share of the login; closing the token's last session logs the user out. */
  private static logout(library: Library, slotKey: string): void {
    const entry = library.logins.get(slotKey);
    if (entry && --entry.stores === 0) library.logins.delete(slotKey);
  }

  private use(): Pkcs11 {
    if (this.closed) throw pkcs11Errors.closed();
    return this.pkcs11;
  }

  private find(template: pkcs11js.Template): Handle[] {
    const pkcs11 = this.use();
    pkcs11.C_FindObjectsInit(this.session, template);
    try {
      const found: Handle[] = [];
      for (let batch = pkcs11.C_FindObjects(this.session, 64); batch.length > 0; batch = pkcs11.C_FindObjects(this.session, 64)) {
        found.push(...batch);
      }
      return found;
    } finally {
      pkcs11.C_FindObjectsFinal(this.session);
    }
  }

  private attribute(handle: Handle, type: number): Buffer {
    const [result] = this.use().C_GetAttributeValue(this.session, handle, [{ type }]);
    if (!result?.value) throw new Error(`attribute ${type} missing`);
    return result.value;
  }

  private keys(label: string, objectClass: number): Handle[] {
    return this.find([
      { type: pkcs11js.CKA_CLASS, value: objectClass },
      { type: pkcs11js.CKA_LABEL, value: label },
    ]);
  }

  async labels(): Promise<string[]> {
    try {
      const handles = this.find([{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }]);
      const labels = handles.map((h) => this.attribute(h, pkcs11js.CKA_LABEL).toString('utf8'));
      // Only keys named the way CertDesk names them: a token may hold an operator's other keys.
      return [...new Set(labels.filter(isKeyLabel))].sort();
    } catch (error) {
      throw deviceError(error);
    }
  }

  async create(label: string, family: KeyFamily): Promise<Signer> {
    if (!isKeyLabel(label)) throw keyStoreErrors.badLabel(label);
    if (family === 'sm2' && 'refusal' in this.sm2) throw pkcs11Errors.sm2Unsupported(this.sm2.refusal);
    try {
      if (this.keys(label, pkcs11js.CKO_PRIVATE_KEY).length > 0) throw keyStoreErrors.exists(label);
      const id = randomBytes(16);
      const pair = this.use().C_GenerateKeyPair(
        this.session,
        { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
        [
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_PRIVATE, value: false },
          { type: pkcs11js.CKA_VERIFY, value: true },
          { type: pkcs11js.CKA_EC_PARAMS, value: Buffer.from(curveParams[family]) },
          { type: pkcs11js.CKA_LABEL, value: label },
          { type: pkcs11js.CKA_ID, value: id },
        ],
        [
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_PRIVATE, value: true },
          { type: pkcs11js.CKA_SENSITIVE, value: true },
          { type: pkcs11js.CKA_EXTRACTABLE, value: false },
          { type: pkcs11js.CKA_SIGN, value: true },
          { type: pkcs11js.CKA_LABEL, value: label },
          { type: pkcs11js.CKA_ID, value: id },
        ],
      );
      const destroy = () => {
        for (const handle of [pair.privateKey, pair.publicKey]) this.use().C_DestroyObject(this.session, handle);
      };
      // No create-if-absent in PKCS#11: two `ca init`s racing may both generate. Whoever then sees
      // another key under the label gives its own up, so a label never names two keys.
      if (this.keys(label, pkcs11js.CKO_PRIVATE_KEY).some((h) => !h.equals(pair.privateKey))) {
        destroy();
        throw keyStoreErrors.exists(label);
      }
      let signer: Signer;
      try {
        signer = this.signerFor(label, pair.privateKey, pair.publicKey);
      } catch (error) {
        destroy();
        throw error;
      }
      this.signers.set(label, signer);
      return signer;
    } catch (error) {
      throw deviceError(error);
    }
  }

  async signer(label: string): Promise<Signer> {
    const cached = this.signers.get(label);
    if (cached) return cached;
    try {
      const [privateKey] = this.keys(label, pkcs11js.CKO_PRIVATE_KEY);
      if (!privateKey) throw keyStoreErrors.missing(label);
      const [publicKey] = this.keys(label, pkcs11js.CKO_PUBLIC_KEY);
      if (!publicKey) throw pkcs11Errors.publicKeyMissing(label);
      const signer = this.signerFor(label, privateKey, publicKey);
      this.signers.set(label, signer);
      return signer;
    } catch (error) {
      throw deviceError(error);
    }
  }

  async createSecret(label: string): Promise<BlockCipher> {
    if (!isKeyLabel(label)) throw keyStoreErrors.badLabel(label);
    try {
      if (this.keys(label, pkcs11js.CKO_SECRET_KEY).length > 0) throw keyStoreErrors.exists(label);
      const value = randomBytes(SM4_BLOCK);
      const handle = this.use().C_CreateObject(this.session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        // Readable by the logged-in user only: Node computes SM4 with it (see the header).
        { type: pkcs11js.CKA_SENSITIVE, value: false },
        { type: pkcs11js.CKA_EXTRACTABLE, value: true },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_VALUE, value },
      ]);
      // As create(): of two made at once under one label, the later gives its own up.
      if (this.keys(label, pkcs11js.CKO_SECRET_KEY).some((h) => !h.equals(handle))) {
        this.use().C_DestroyObject(this.session, handle);
        throw keyStoreErrors.exists(label);
      }
      const cipher = sm4Cipher(value);
      value.fill(0);
      return cipher;
    } catch (error) {
      throw deviceError(error);
    }
  }

  async secret(label: string): Promise<BlockCipher | undefined> {
    try {
      const [handle] = this.keys(label, pkcs11js.CKO_SECRET_KEY);
      if (!handle) return undefined;
      const value = this.attribute(handle, pkcs11js.CKA_VALUE);
      const cipher = sm4Cipher(value);
      value.fill(0);
      return cipher;
    } catch (error) {
      throw deviceError(error);
    }
  }

  /** The Signer over a key pair on the token, after one signature of its own has verified. */
  private signerFor(label: string, privateKey: Handle, publicKey: Handle): Signer {
    const params = this.attribute(publicKey, pkcs11js.CKA_EC_PARAMS);
    const family = (Object.keys(curveParams) as KeyFamily[]).find((f) => equalBytes(params, curveParams[f]));
    if (!family) throw pkcs11Errors.keyUnsupported(label);
    const point = ecPoint(this.attribute(publicKey, pkcs11js.CKA_EC_POINT));
    const spki = seq(seq(oid(ecPublicKeyOid), curveParams[family]), bits(point));

    let digest: (data: Uint8Array) => Buffer;
    let mechanism: number;
    if (family === 'sm2') {
      if ('refusal' in this.sm2) throw pkcs11Errors.sm2Unsupported(this.sm2.refusal);
      const za = sm2Za(point);
      digest = (data) => createHash('sm3').update(za).update(data).digest();
      mechanism = this.sm2.mechanism;
    } else {
      digest = (data) => createHash('sha256').update(data).digest();
      mechanism = pkcs11js.CKM_ECDSA;
    }
    const sign = (data: Uint8Array): Uint8Array => {
      const pkcs11 = this.use();
      try {
        pkcs11.C_SignInit(this.session, { mechanism }, privateKey);
        return rawToDer(pkcs11.C_Sign(this.session, digest(data), Buffer.alloc(132)));
      } catch (error) {
        throw deviceError(error);
      }
    };
    if (!verifySignature(spki, selfTestMessage, sign(selfTestMessage))) throw pkcs11Errors.selfTestFailed(label);
    return { family, signatureOid: signatureOids[family], spki, sign };
  }

  /** Closes this store's session; the module is finalised once no store in the process uses it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signers.clear();
    const library = libraries.get(this.libraryKey);
    try {
      this.pkcs11.C_CloseSession(this.session);
    } finally {
      if (library) Pkcs11KeyStore.logout(library, this.slotKey);
      releaseLibrary(this.libraryKey);
    }
  }
}
