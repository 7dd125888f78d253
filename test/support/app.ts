/**
 * A real CertDesk instance for integration and browser tests: listening on 127.0.0.1 on a free
 * port, on an in-memory PGlite, or on the PostgreSQL named by DATABASE_URL when it is set.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { inject } from 'vitest';
import { createCertDesk, type CertDesk, type CertDeskOptions } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { auditHead, verifyAuditChain } from '../../src/modules/audit/chain.ts';
import { simulatedMerchant, type SimulatedMerchant } from '../../src/providers/wechatpay/demo.ts';
import { useTemplate } from './template.ts';

export interface TestApp {
  certdesk: CertDesk;
  url: string;
  config: Config;
  /** The app's clock (the one passed in, or the real one). */
  clock: () => Date;
  close(): Promise<void>;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  const base = loadConfig({
    CERTDESK_MODE: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...(process.env['DATABASE_URL'] ? { DATABASE_URL: process.env['DATABASE_URL'] } : {}),
  });
  const database = base.database.kind === 'pglite' ? { kind: 'pglite' as const, dataDir: 'memory://' } : base.database;
  // Every test comes from 127.0.0.1 and CI's PostgreSQL outlives a run: the per-address limit is
  // tested on its own instance (with forwarded addresses) and kept out of the way elsewhere.
  const auth = { ...base.auth, codesPerIpPerHour: 100_000 };
  // Each app its own CA key store: on a shared PostgreSQL it then makes and uses its own CA generation.
  const ca = { ...base.ca, keystoreDir: mkdtempSync(path.join(tmpdir(), 'certdesk-ca-keys-')) };
  // Webhooks retried within seconds, by whichever test app on the real clock relays them first.
  const platforms = { ...base.platforms, webhook: { timeoutMs: 3000, maxAttempts: 5, retryDelaySeconds: 1, concurrency: 4 } };
  return { ...base, database, auth, ca, platforms, ...overrides };
}

/** One simulated WeChat Pay merchant per CA name in this worker: new RSA keys for every app cost ~0.4 s. */
const merchants = new Map<string, SimulatedMerchant>();
function merchantFor(caName: string): SimulatedMerchant {
  let merchant = merchants.get(caName);
  if (!merchant) merchants.set(caName, (merchant = simulatedMerchant({ merchantName: caName })));
  return merchant;
}

export async function startTestApp(options: CertDeskOptions & { config?: Partial<Config> } = {}): Promise<TestApp> {
  const config = testConfig(options.config);
  const clock = options.clock ?? (() => new Date());
  // The run's migrated database and CA keys, where this app would make the same (template.ts).
  const template = useTemplate(inject('certdeskTemplate'), config, clock());
  const certdesk = await createCertDesk(config, {
    logger: pino({ level: 'silent' }),
    simulatedMerchant: merchantFor(config.caName),
    // On a shared PostgreSQL any app may deliver another's webhooks: only those on the real clock,
    // which sign with the time the receiver checks against.
    deliverWebhooks: options.clock === undefined,
    ...template,
    ...options,
  });
  await certdesk.listen();
  const port = (certdesk.app.server.address() as { port: number }).port;
  const head = await auditHead(certdesk.database.db);
  return {
    certdesk,
    url: `http://127.0.0.1:${port}`,
    config,
    clock,
    // Every suite ends by checking the audit chain from where it found it (CI's PostgreSQL keeps
    // earlier runs' records): a transition or staff action that broke a link fails the suite.
    async close() {
      const verdict = await verifyAuditChain(certdesk.database.db, 1000, head);
      await certdesk.close();
      if (!verdict.ok) throw new Error(`audit chain broken at record ${verdict.brokenAt}: ${verdict.reason}`);
    },
  };
}

/** A mainland mobile number nobody else in this run uses (tests share one PostgreSQL in CI). */
export function randomPhone(): string {
  return `1${randomInt(3, 10)}${randomInt(0, 1e9).toString().padStart(9, '0')}`;
}

/** A movable clock for rules that depend on time (expiry, cooldown, daily limits). */
export function movableClock(start = new Date()) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}
