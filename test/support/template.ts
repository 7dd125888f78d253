/**
 * What every test app would otherwise make at its first start, made once per run by the global
 * setup (test/global-setup.ts): the migrated database with its master secret, the CAs and the job
 * queue's schema — on PGlite as a dumpDataDir() tarball that each app opens instead of building a
 * new cluster, on PostgreSQL in the shared database itself — and the CA key store holding the keys
 * of those CAs, which each app copies into its own key store directory.
 *
 * An app takes the template only where it would have made the same CAs itself: same CA name and
 * base URL, file key store under the derived passphrase, not production, a clock near the real time
 * (CAs made at another time have other validity periods), and on PGlite a new database (the keys
 * are encrypted under the snapshot's master secret).
 */
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Config } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { startJobQueue } from '../../src/jobs/queue.ts';
import { openCaModule } from '../../src/modules/ca/index.ts';
import { fromPem, toPem } from '../../src/pki/der.ts';
import { decryptPkcs8, encryptPkcs8 } from '../../src/pki/pbes2.ts';
import { deriveKeys, loadMasterSecret } from '../../src/security/keys.ts';

/** What the global setup hands to the test workers (through vitest's provide/inject). */
export interface TestTemplate {
  /** The database the template was made in: its CAs exist only there. */
  database: Config['database'];
  /** PGlite: the tarball of the migrated data directory. */
  pgliteSnapshot: string | undefined;
  keystoreDir: string;
  caName: string;
  caBaseUrl: string;
  madeAt: number;
}

declare module 'vitest' {
  interface ProvidedContext {
    certdeskTemplate: TestTemplate | undefined;
  }
}

/**
 * PBKDF2 rounds of the template's key files. The key store encrypts its keys with 200,000 rounds,
 * paid once per process when it opens them; every test app opens a copy of these six, which would
 * cost each app ~0.4 s. The files stay standard PBES2 PKCS#8 under the derived passphrase (each
 * carries its round count), opened by the same key store code; only these throw-away keys are
 * protected less at rest.
 */
const TEMPLATE_KEY_ITERATIONS = 1000;

async function cheapenKeyFiles(dir: string, passphrase: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const file = path.join(dir, name);
    const pkcs8 = decryptPkcs8(fromPem(await readFile(file, 'utf8'), 'ENCRYPTED PRIVATE KEY'), passphrase);
    await writeFile(file, toPem('ENCRYPTED PRIVATE KEY', encryptPkcs8(pkcs8, passphrase, TEMPLATE_KEY_ITERATIONS)), { mode: 0o600 });
  }
}

/** An app whose clock starts this close after the template's CAs were made would make the same. */
const SAME_TIME = { beforeMs: 5 * 60_000, afterMs: 86_400_000 };

/** Makes the template in `dir` for apps configured like `config` (testConfig()). */
export async function makeTemplate(config: Config, dir: string): Promise<TestTemplate> {
  const log = pino({ level: 'silent' });
  const keystoreDir = path.join(dir, 'ca-keys');
  const now = new Date();
  const withKeys: Config = { ...config, ca: { ...config.ca, keystoreDir } };
  const database = await openDatabase(withKeys.database);
  try {
    // The first lines of createCertDesk: migrations, the master secret, the CAs, the job queue.
    await database.migrate();
    const keys = deriveKeys(await loadMasterSecret(withKeys, database.db, now));
    const ca = await openCaModule({ config: withKeys, db: database.db, derivedPassphrase: keys.caKeyPassphrase, clock: () => now, log, actor: { kind: 'system', id: 'ca' } });
    await ca.close();
    await cheapenKeyFiles(keystoreDir, keys.caKeyPassphrase);
    const boss = await startJobQueue(database, log);
    await boss.stop({ graceful: true, wait: true, timeout: 5000 });
    let pgliteSnapshot: string | undefined;
    if (database.dumpDataDir) {
      pgliteSnapshot = path.join(dir, 'pglite.tar');
      await writeFile(pgliteSnapshot, Buffer.from(await (await database.dumpDataDir()).arrayBuffer()));
    }
    return { database: config.database, pgliteSnapshot, keystoreDir, caName: config.caName, caBaseUrl: config.ca.baseUrl, madeAt: now.getTime() };
  } finally {
    await database.close();
  }
}

export function templateDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'certdesk-template-'));
}

let snapshotBlob: { file: string; blob: Blob } | undefined;
function snapshotOf(file: string): Blob {
  if (snapshotBlob?.file !== file) snapshotBlob = { file, blob: new Blob([readFileSync(file)]) };
  return snapshotBlob.blob;
}

const isEmptyDir = (dir: string) => !existsSync(dir) || readdirSync(dir).length === 0;

/**
 * Fills what the template can of an app about to start with `config` on `clock`: the snapshot to
 * open its embedded database from, and the CA keys copied into its (empty) key store. Returns the
 * snapshot, or undefined when the app starts from scratch as without a template.
 */
export function useTemplate(template: TestTemplate | undefined, config: Config, now: Date): { pgliteSnapshot?: Blob } {
  if (!template) return {};
  const db = config.database;
  let pgliteSnapshot: Blob | undefined;
  if (db.kind === 'pglite') {
    if (!template.pgliteSnapshot) return {};
    // A new database only: an existing one has its own secret, and PGlite refuses to load over it.
    const fresh = db.dataDir.startsWith('memory://') || !existsSync(path.join(db.dataDir, 'PG_VERSION'));
    if (!fresh) return {};
    pgliteSnapshot = snapshotOf(template.pgliteSnapshot);
  } else if (template.database.kind !== 'postgres' || template.database.url !== db.url) {
    return {};
  }
  const sameCas =
    config.mode !== 'production' &&
    config.secret === undefined &&
    config.caName === template.caName &&
    config.ca.baseUrl === template.caBaseUrl &&
    config.ca.keyPassphrase === undefined &&
    config.ca.pkcs11 === undefined &&
    now.getTime() > template.madeAt - SAME_TIME.beforeMs &&
    now.getTime() < template.madeAt + SAME_TIME.afterMs &&
    isEmptyDir(config.ca.keystoreDir);
  if (sameCas) cpSync(template.keystoreDir, config.ca.keystoreDir, { recursive: true });
  return pgliteSnapshot ? { pgliteSnapshot } : {};
}
