/**
 * Assembles the platform and runs its life: the infrastructure (database and migrations, keys, the
 * CA, job queue, SMS delivery), the use cases (src/services.ts), the HTTP face (src/http/routes.ts)
 * with the outside parties' simulators (src/providers/outside-parties.ts), then — on listen — the
 * workers and schedules, stopped in order on close.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import pino, { type Logger } from 'pino';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { isEmbeddedDirectory } from './db/lock.ts';
import { createOutageLog } from './db/outage-log.ts';
import { registerErrorHandler } from './http/errors.ts';
import { registerRequestIds, requestIdGenerator, requestIdMixin, requestLoggerFactory } from './http/request-id.ts';
import { createMetrics } from './metrics/metrics.ts';
import { metricsRoutes } from './metrics/routes.ts';
import { registerFoundations, registerPortal, registerRoutes } from './http/routes.ts';
import { checkQueue, startJobQueue, type JobQueue } from './jobs/queue.ts';
import type { QueueWorker } from './jobs/worker.ts';
import type { AuthService } from './modules/auth/service.ts';
import { backfillMilestones } from './modules/applications/repository.ts';
import { seedDemoStaff } from './modules/staff/demo.ts';
import { scheduleExpiryReminders, type ExpiryReminders } from './modules/notifications/expiry-reminders.ts';
import { SMS_LOGIN_CODE_QUEUE, createSmsDelivery, type SmsSender, type SmsWorkerOptions } from './modules/notifications/sms.ts';
import { openCaModule, type CaModule } from './modules/ca/index.ts';
import { scheduleAutoComplete } from './modules/production/auto-complete.ts';
import { scheduleMaintenance } from './db/maintenance.ts';
import { outsideParties, simulatedMerchantFor, simulatorsPlugin, type OutsidePartyOverrides } from './providers/outside-parties.ts';
import type { WechatPaySimControls } from './providers/wechatpay/simulator.ts';
import { createServices, type Services } from './services.ts';
import { DbMailOutbox } from './dev/mail-outbox.ts';
import { createInvoiceJobs, invoiceQueues, startInvoiceWorkers } from './modules/invoices/jobs.ts';
import { createWebhookDelivery } from './modules/platforms/delivery.ts';
import { randomBytes } from 'node:crypto';
import type { NuonuoSimControls } from './providers/einvoice/simulator.ts';
import { startMailDelivery, type MailDelivery } from './providers/mail/delivery.ts';
import type { MailSimulator } from './providers/mail/simulator.ts';
import type { MailProvider } from './providers/mail/types.ts';
import type { BlobStore } from './storage/blob-store.ts';
import { LocalBlobStore, localBlobRoot } from './storage/local.ts';
import { createOperatorChannel, type OperatorChannel } from './operator/channel.ts';
import { deriveKeys, loadMasterSecret } from './security/keys.ts';

export { REGISTRY_SIMULATOR_PREFIX, SMS_SIMULATOR_PREFIX, WECHATPAY_SIMULATOR_PREFIX } from './providers/outside-parties.ts';

z.config(z.locales.zhCN());


/** Tests and benchmarks: a clock they move, and parts put in place of the configured ones. */
export interface CertDeskOptions extends OutsidePartyOverrides {
  /** The clock every rule reads; tests pass one they can move. */
  clock?: () => Date;
  logger?: Logger;
  /** Replaces the configured blob store. */
  blobs?: BlobStore;
  /** Benchmarks: the SMS workers' tuning instead of the configured one (the baseline's polling-only worker). */
  smsWorker?: Partial<SmsWorkerOptions>;
  /** Embedded database only: open it from this migrated copy (tests; see openDatabase). */
  pgliteSnapshot?: Blob;
  /** Replaces the configured mail (tests of failure paths); no SMTP simulator is started then. */
  mailProvider?: MailProvider;
  /** Tests: the invoice jobs' first retry after this many seconds (doubling) instead of 10. */
  invoiceRetryDelaySeconds?: number;
  /**
   * false: this instance neither relays nor delivers webhooks, nor prunes the platforms' nonces
   * (tests on a shared PostgreSQL: an app on a moved clock would sign with its own time, which the
   * receiver refuses, and prune by it).
   */
  deliverWebhooks?: boolean;
}

export interface CertDesk {
  app: FastifyInstance;
  database: Database;
  config: Config;
  /** The WeChat Pay simulator's test controls (pay, forge, replay), when it is the provider. */
  wechatPaySimulator: WechatPaySimControls | undefined;
  /** The e-invoice platform simulator's controls (fail, go down, list what it issued), when it is the provider. */
  readonly einvoiceSimulator: NuonuoSimControls | undefined;
  /** The loopback SMTP server the mails go to (tests read them from it), when it is the provider. */
  readonly mailSimulator: MailSimulator | undefined;
  /** The CA's services (benchmarks and tests reach the CA set through this). */
  ca: CaModule;
  /** On an embedded database, once listening: the Unix socket through which `certdesk` commands reach this server. */
  readonly operatorSocket: string | undefined;
  /** Queues SMS as the modules do (tests put a backlog of notices in front of a login code). */
  sms: SmsSender;
  /** Sessions and logins (tests open a session through it where logging in is not what they test). */
  auth: AuthService;
  /** 到期提醒: the scheduled job's work, which tests run at once (remindExpiring). */
  reminders: ExpiryReminders;
  /**
   * The use cases the routes call: tests build an application's state through them (and the
   * domain's transition door) where walking the HTTP steps there is not what they test
   * (test/support/scenario.ts).
   */
  services: Services;
  /** Starts listening, then the workers (the simulator's address is known only then). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

async function openBlobStore(config: Config): Promise<BlobStore> {
  const b = config.blobs;
  if (b.kind === 'local') return new LocalBlobStore(localBlobRoot(config.dataDir));
  // Loaded only for a bucket: the AWS SDK costs every start ~0.2 s of CPU to import.
  const { S3BlobStore } = await import('./storage/s3.ts');
  return new S3BlobStore({
    endpoint: b.endpoint,
    region: b.region,
    bucket: b.bucket,
    accessKeyId: b.accessKeyId,
    secretAccessKey: b.secretAccessKey,
    forcePathStyle: b.forcePathStyle,
    prefix: b.prefix,
  });
}

/** `destination`: standard output unless given (tests read the lines). */
export function createLogger(config: Config, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    mixin: requestIdMixin,
    redact: {
      paths: ['req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'],
      censor: '[已隐藏]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export async function createCertDesk(config: Config, options: CertDeskOptions = {}): Promise<CertDesk> {
  const clock = options.clock ?? (() => new Date());
  const log = options.logger ?? createLogger(config);
  const metrics = createMetrics();

  // One line when the database goes away and one when it is back, whoever notices (requests,
  // idle connections, the job queue), instead of one per failure.
  const outage = createOutageLog(log, 'database');
  const storage = createOutageLog(log, 'storage (disk full)');
  // Made on the thread pool while the database opens.
  const merchant = simulatedMerchantFor(config, options);
  merchant.catch(() => undefined); // awaited below; a start that fails before then has its own error
  const database = await openDatabase(config.database, {
    owner: { kind: 'server' },
    guardRootHandle: config.mode !== 'production',
    pgliteSnapshot: options.pgliteSnapshot,
    events: { onConnectionError: (err) => outage.failed(err, 'connection'), onConnected: () => outage.recovered() },
  });
  await database.migrate();
  await database.exclusive(() => backfillMilestones(database.db, clock()));
  const keys = deriveKeys(await loadMasterSecret(config, database.db, clock()));
  // Before anything else starts: production refuses to run without its CA (`certdesk ca init`).
  // Outside production the first start makes the CAs and the unlock master key; instances of one
  // installation starting together (one database, one key directory) take turns, or both would
  // make them and the second would find the first's key files.
  const ca = await database
    .exclusive(() =>
      openCaModule({
        config,
        db: database.db,
        derivedPassphrase: keys.caKeyPassphrase,
        clock,
        log,
        actor: { kind: 'system', id: 'ca' },
        observer: metrics.ca,
      }),
    )
    .catch(async (err: unknown) => {
      await database.close();
      throw err;
    });
  const boss: JobQueue = await startJobQueue(database, log, outage);
  const jobCompletionFailed = (err: unknown) => outage.failed(err, 'job completion');
  const sms = await createSmsDelivery(boss, keys.jobSeal, log, jobCompletionFailed);
  if (config.mode === 'demo') await seedDemoStaff(database.db, keys.totpSeal, clock(), log);

  const parties = outsideParties(config, clock, options, metrics, await merchant);
  const blobs = options.blobs ?? (await openBlobStore(config));
  // Mail needs no HTTP port: its simulator is an SMTP server of its own, started now.
  const mailOutbox = new DbMailOutbox(database.db);
  const mail: MailDelivery | undefined = options.mailProvider ? undefined : await startMailDelivery(config.mail, { outbox: mailOutbox, log, now: clock });
  const mailProvider = options.mailProvider ?? mail?.provider;
  if (!mailProvider) throw new Error('mail: no provider');
  // A shared PostgreSQL with the in-memory e-invoice simulator (tests, a demo of several instances): see invoiceQueues.
  const invoiceQueueNames = invoiceQueues(database.kind !== 'pglite' && config.einvoice.provider === 'simulator' ? randomBytes(6).toString('hex') : undefined);
  const invoiceJobs = await createInvoiceJobs(boss, { retryDelaySeconds: options.invoiceRetryDelaySeconds ?? 10, queues: invoiceQueueNames });
  const mailer = metrics.provider('mail', () => mailProvider);
  const webhooks = await createWebhookDelivery(
    boss,
    { db: database.db, changes: database.changes, clock, log, keyRoot: keys.platformKeyRoot, onCompletionError: jobCompletionFailed },
    config.platforms.webhook,
  );
  const services = createServices({ config, db: database.db, changes: database.changes, clock, log, keys, ca, sms, blobs, parties, mail: () => mailer, invoiceJobs, webhooks });

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    trustProxy: config.trustProxy,
    genReqId: requestIdGenerator(config.trustProxy),
    childLoggerFactory: requestLoggerFactory,
    bodyLimit: 2 * 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  await registerRequestIds(app);
  metrics.observeHttp(app);
  metrics.observeDatabase(database);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app, {
    onFailure: (kind, err) => (kind === 'unavailable' ? outage : storage).failed(err, 'request'),
  });
  await registerFoundations(app, { config, services });
  await registerRoutes(app, {
    config,
    services,
    ca,
    clock,
    changes: database.changes,
    probes: {
      database: async () => {
        await database.db.execute(sql`SELECT 1`);
      },
      jobs: async () => {
        if (!sms.started) throw new Error('SMS workers not running');
        await checkQueue(boss, SMS_LOGIN_CODE_QUEUE);
      },
      keys: async () => ca.checkKeys(),
    },
  });
  await app.register(metricsRoutes, { metrics, token: config.metricsToken });
  let wechatPaySimulator: WechatPaySimControls | undefined;
  let einvoiceSimulator: NuonuoSimControls | undefined;
  await app.register(simulatorsPlugin, {
    config,
    db: database.db,
    changes: database.changes,
    clock,
    parties,
    overrides: options,
    totpKey: keys.totpSeal,
    onWechatPaySimulator: (controls) => (wechatPaySimulator = controls),
    onEInvoiceSimulator: (controls) => (einvoiceSimulator = controls),
    mail: mail?.simulator ? { outbox: mailOutbox, port: () => mail.simulator?.port } : undefined,
    webhookSignatureValid: services.platforms.api.webhookSignatureValid,
  });
  await registerPortal(app);

  // The embedded database is this process's alone: `certdesk` commands reach it through here.
  const operatorChannel: OperatorChannel | undefined =
    config.database.kind === 'pglite' && isEmbeddedDirectory(config.database.dataDir)
      ? createOperatorChannel({
          dataDir: config.database.dataDir,
          log,
          context: {
            config,
            database,
            clock,
            ca: async () => ca,
            caDeps: async (actor) => ({ config, db: database.db, derivedPassphrase: keys.caKeyPassphrase, clock, log, actor }),
          },
        })
      : undefined;

  let stopped = false;
  let autoComplete: QueueWorker | undefined;
  let expiryReminders: QueueWorker | undefined;
  let maintenance: QueueWorker | undefined;
  let invoiceWorkers: QueueWorker[] = [];
  return {
    app,
    database,
    config,
    get wechatPaySimulator() {
      return wechatPaySimulator;
    },
    get einvoiceSimulator() {
      return einvoiceSimulator;
    },
    get mailSimulator() {
      return mail?.simulator;
    },
    ca,
    get operatorSocket() {
      return operatorChannel?.listening ? operatorChannel.socketPath : undefined;
    },
    sms,
    auth: services.auth,
    reminders: services.reminders,
    services,
    async listen() {
      const address = await app.listen({ host: config.host, port: config.port });
      const port = (app.server.address() as { port: number }).port;
      const provider = parties.bind(port);
      sms.start(metrics.provider('sms', () => provider), { concurrency: config.sms.sendConcurrency, ...options.smsWorker });
      autoComplete = await scheduleAutoComplete(boss, services.production, log, jobCompletionFailed);
      expiryReminders = await scheduleExpiryReminders(boss, services.reminders, log, jobCompletionFailed);
      maintenance = await scheduleMaintenance(boss, database, log, jobCompletionFailed);
      invoiceWorkers = startInvoiceWorkers(boss, invoiceJobs, services.invoices, log, jobCompletionFailed);
      if (options.deliverWebhooks !== false) webhooks.start();
      await ca.ca.startSchedules();
      await operatorChannel?.listen();
      return address;
    },
    async close() {
      if (stopped) return;
      stopped = true;
      await operatorChannel?.close();
      ca.ca.stopSchedules();
      // Our workers first: the messages in hand still reach the gateway (the simulator is served here).
      await Promise.all([sms.stop(), autoComplete?.stop(), expiryReminders?.stop(), maintenance?.stop(), ...invoiceWorkers.map((w) => w.stop()), webhooks.stop()]);
      await mail?.close();
      await boss.stop({ graceful: true, wait: true, timeout: 5000 });
      await app.close();
      try {
        // Once nothing signs any more: ends the PKCS#11 session, finalising the module.
        await ca.close();
      } finally {
        await database.close();
      }
    },
  };
}
