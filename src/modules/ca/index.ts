/**
 * ca: opening the key store and the CAs, and the services built on them — one entry point for
 * the app (createCertDesk) and the CLI, so that both run the same code.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { statusLabels, type ApplicationStatus } from '../../domain/application.ts';
import { FileKeyStore } from '../../pki/keystore.ts';
import { ensureCas, initCas, type AuthorityContext } from './authority.ts';
import { createSealService } from './seals.ts';
import { createCaService } from './service.ts';
import { createVerifier } from './verify.ts';
import type { KeyFamily } from '../../pki/signer.ts';

export interface CaModuleDeps {
  config: Config;
  db: Db;
  /** Used when CA_KEY_PASSPHRASE is not set (never in production: config refuses that). */
  derivedPassphrase: string;
  clock: () => Date;
  log: Logger;
  actor: { kind: 'system'; id: string };
}

async function context(deps: CaModuleDeps): Promise<AuthorityContext> {
  const store = await FileKeyStore.open(deps.config.ca.keystoreDir, deps.config.ca.keyPassphrase ?? deps.derivedPassphrase);
  return { db: deps.db, store, baseUrl: deps.config.ca.baseUrl, organization: deps.config.caName, now: deps.clock(), actor: deps.actor };
}

/** `certdesk ca init`. */
export async function initCaModule(deps: CaModuleDeps, families: readonly KeyFamily[]): Promise<void> {
  await initCas(await context(deps), families);
}

/** The CA services; demo and development create missing CAs, production refuses to start without them. */
export async function openCaModule(deps: CaModuleDeps) {
  const cas = await ensureCas(await context(deps), deps.config.mode !== 'production');
  const statusLabel = (s: string) => statusLabels[s as ApplicationStatus] ?? s;
  const ca = createCaService({ db: deps.db, cas, config: deps.config.ca, clock: deps.clock, log: deps.log, statusLabel });
  const seals = createSealService({ db: deps.db, cas, clock: deps.clock });
  const verifier = createVerifier({ db: deps.db, cas, clock: deps.clock });
  return { cas, ca, seals, verifier };
}

export type CaModule = Awaited<ReturnType<typeof openCaModule>>;
