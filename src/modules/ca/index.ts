/**
 * ca: opening the key store and the CAs, and the services built on them — one entry point for
 * the app (createCertDesk) and the CLI, so that both run the same code.
 */
import type { CaObserver } from '../../metrics/metrics.ts';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { PassphraseEscrow } from '../../pki/escrow.ts';
import { FamilyRoutedKeyStore, FileKeyStore, type KeyStore } from '../../pki/keystore.ts';
import { Pkcs11KeyStore } from '../../pki/pkcs11-keystore.ts';
import { AppError } from '../../domain/errors.ts';
import { keyCheckValue } from '../../pki/usb-key-unlock.ts';
import { ensureCas, ensureUnlockMasterKey, initCas, keyFamilies, type AuthorityContext, type CaSet } from './authority.ts';
import { createOnlineRenewal } from './online-renewal.ts';
import { createSealService } from './seals.ts';
import { createCaService } from './service.ts';
import { createVerifier } from './verify.ts';
import type { KeyFamily } from '../../pki/signer.ts';
import type { BlockCipher } from '../../pki/usb-key-unlock.ts';

export interface CaModuleDeps {
  config: Config;
  db: Db;
  /** Used when CA_KEY_PASSPHRASE is not set (never in production: config refuses that). */
  derivedPassphrase: string;
  clock: () => Date;
  log: Logger;
  actor: { kind: 'system'; id: string };
  /** The server's metrics (issuance, revocation, OCSP); the CLI has none. */
  observer?: CaObserver;
}

/**
 * The configured key store: encrypted files (CA_KEYSTORE=file), or a PKCS#11 token for the
 * families in CA_PKCS11_FAMILIES and the files for the rest (CA_KEYSTORE=pkcs11).
 */
async function openKeyStore(deps: CaModuleDeps): Promise<KeyStore> {
  const { ca } = deps.config;
  const openFiles = () => FileKeyStore.open(ca.keystoreDir, ca.keyPassphrase ?? deps.derivedPassphrase);
  const p11 = ca.pkcs11;
  if (!p11) return openFiles();
  const token = await Pkcs11KeyStore.open({ modulePath: p11.modulePath, tokenLabel: p11.tokenLabel, pin: p11.pin, sm2Mechanism: p11.sm2Mechanism });
  if (keyFamilies.every((f) => p11.families.includes(f))) return token;
  let files: FileKeyStore;
  try {
    files = await openFiles();
  } catch (error) {
    await token.close();
    throw error;
  }
  const storeFor = (family: KeyFamily) => (p11.families.includes(family) ? token : files);
  // Secret keys (the unlock master key) go to the token: where the CA has one, it keeps them.
  return new FamilyRoutedKeyStore({ sm2: storeFor('sm2'), p256: storeFor('p256') }, token);
}

async function context(deps: CaModuleDeps): Promise<AuthorityContext> {
  const store = await openKeyStore(deps);
  return { db: deps.db, store, baseUrl: deps.config.ca.baseUrl, organization: deps.config.caName, now: deps.clock(), actor: deps.actor };
}

/**
 * `certdesk ca init`: the CAs of `families`, and the USB keys' unlock master key when the store has
 * none (an installation older than 解锁 gets it here, beside CAs that already exist). Returns the
 * new master key's check value, if one was made.
 */
export async function initCaModule(deps: CaModuleDeps, families: readonly KeyFamily[]): Promise<{ casCreated: boolean; unlockKeyCheckValue?: string }> {
  const ctx = await context(deps);
  try {
    const unlock = await ensureUnlockMasterKey(ctx, true);
    const made = unlock?.created ? { unlockKeyCheckValue: keyCheckValue(unlock.key) } : {};
    try {
      await initCas(ctx, families);
    } catch (error) {
      if (made.unlockKeyCheckValue && error instanceof AppError && error.code === 'CA_EXISTS') return { casCreated: false, ...made };
      throw error;
    }
    return { casCreated: true, ...made };
  } finally {
    await ctx.store.close();
  }
}

const KEY_PROBE = new TextEncoder().encode('certdesk readiness probe');

/**
 * The CA services; demo and development create missing CAs, production refuses to start without
 * them. `close()` ends the key store's session (PKCS#11): the CAs' signers stop working then.
 */
export async function openCaModule(deps: CaModuleDeps) {
  const ctx = await context(deps);
  let cas: CaSet;
  let unlockMasterKey: BlockCipher | undefined;
  try {
    cas = await ensureCas(ctx, deps.config.mode !== 'production');
    // Production makes it only at `certdesk ca init`: a lost key file must not be replaced silently.
    unlockMasterKey = (await ensureUnlockMasterKey(ctx, deps.config.mode !== 'production'))?.key;
  } catch (error) {
    await ctx.store.close();
    throw error;
  }
  // The KM archive uses the CA key passphrase even when a token holds the CA keys (see escrow.ts).
  const escrow = new PassphraseEscrow(deps.config.ca.keyPassphrase ?? deps.derivedPassphrase);
  const ca = createCaService({ db: deps.db, cas, config: deps.config.ca, clock: deps.clock, log: deps.log, escrow, observer: deps.observer });
  const seals = createSealService({ db: deps.db, cas, clock: deps.clock });
  const verifier = createVerifier({ db: deps.db, cas, clock: deps.clock });
  const onlineRenewal = createOnlineRenewal({ db: deps.db, ca, seals, clock: deps.clock, log: deps.log });
  const signers = [...cas.all.map((c) => c.signer), cas.documentSigner.signer];
  return {
    cas,
    ca,
    seals,
    verifier,
    onlineRenewal,
    /** The USB keys' unlock master key (key store), or undefined until `certdesk ca init` made it (production). */
    unlockMasterKey,
    /** For /readyz: every CA key still signs (a PKCS#11 session dies with its token or its device). */
    checkKeys: () => signers.forEach((signer) => signer.sign(KEY_PROBE)),
    close: () => ctx.store.close(),
  };
}

export type CaModule = Awaited<ReturnType<typeof openCaModule>>;
