/**
 * Assembles the platform: database and migrations, keys, job queue, providers (real adapters or
 * loopback simulators, by configuration), and one Fastify plugin per capability.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { formatYuan } from './domain/money.ts';
import { renewalsUnderWay } from './modules/applications/repository.ts';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import pino, { type Logger } from 'pino';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { isEmbeddedDirectory } from './db/lock.ts';
import { createOutageLog } from './db/outage-log.ts';
import { DbSmsOutbox } from './dev/sms-outbox.ts';
import { devRoutes } from './dev/routes.ts';
import { registerErrorHandler, registerNotFound } from './http/errors.ts';
import { registerProbes } from './http/probes.ts';
import { registerRequestIds, requestIdGenerator, requestIdMixin, requestLoggerFactory } from './http/request-id.ts';
import { sessionPlugin } from './http/session.ts';
import { checkQueue, startJobQueue, type JobQueue } from './jobs/queue.ts';
import type { QueueWorker } from './jobs/worker.ts';
import { authRoutes } from './modules/auth/routes.ts';
import { createAuthService, type AuthService } from './modules/auth/service.ts';
import { seedDemoStaff, staffDevRoutes } from './modules/staff/demo.ts';
import { staffRoutes } from './modules/staff/routes.ts';
import { createStaffService, staffDirectory } from './modules/staff/service.ts';
import { createExpiryReminders, scheduleExpiryReminders, type ExpiryReminders } from './modules/notifications/expiry-reminders.ts';
import { createApplicantNotices } from './modules/notifications/notices.ts';
import {
  SMS_LOGIN_CODE_QUEUE,
  createSmsDelivery,
  smsTemplateTexts,
  type SmsSender,
  type SmsWorkerOptions,
} from './modules/notifications/sms.ts';
import { AliyunSmsProvider } from './providers/sms/aliyun.ts';
import { smsSimulatorPlugin, type SimulatedSms } from './providers/sms/simulator.ts';
import type { SmsProvider } from './providers/sms/types.ts';
import { AliyunRegistryProvider } from './providers/registry/aliyun.ts';
import { registryFixtures } from './providers/registry/fixtures.ts';
import { renderRegistryHtml } from './providers/registry/page.ts';
import { registrySimulatorPlugin } from './providers/registry/simulator.ts';
import type { RegistryProvider } from './providers/registry/types.ts';
import { applicationRoutes, consoleApplicationRoutes } from './modules/applications/routes.ts';
import { createApplicationsService, type ApplicationsService } from './modules/applications/service.ts';
import { createIdentityService } from './modules/applications/identity.ts';
import { createAttachmentService } from './modules/attachments/service.ts';
import { createCatalogueAdmin } from './modules/catalogue/admin.ts';
import { catalogueAdminRoutes } from './modules/catalogue/routes.ts';
import { createCatalogueService } from './modules/catalogue/service.ts';
import { createContractAdmin } from './modules/contracts/admin.ts';
import { contractAdminRoutes } from './modules/contracts/routes.ts';
import { createContractDocuments } from './modules/contracts/documents.ts';
import { createContractService } from './modules/contracts/service.ts';
import { smsTemplateAdminRoutes } from './modules/notifications/routes.ts';
import { createSmsTemplateAdmin } from './modules/notifications/templates.ts';
import { reviewRoutes } from './modules/review/routes.ts';
import { createReviewService, type ReviewService } from './modules/review/service.ts';
import { createFinance } from './modules/payments/finance.ts';
import { WECHATPAY_NOTIFY_PATH, financeRoutes, paymentRoutes, wechatNotifyRoute } from './modules/payments/routes.ts';
import { createPaymentsService } from './modules/payments/service.ts';
import { createWechatPayments } from './modules/payments/wechat.ts';
import { WechatPayV3Client } from './providers/wechatpay/client.ts';
import { simulatedMerchant, type SimulatedMerchant } from './providers/wechatpay/demo.ts';
import { payPageUrl } from './providers/wechatpay/pay-page.ts';
import { createWechatPaySimulator, type WechatPaySimControls, type WechatPaySimulatorOptions } from './providers/wechatpay/simulator.ts';
import type { WechatPayProvider } from './providers/wechatpay/types.ts';
import { openCaModule, type CaModule } from './modules/ca/index.ts';
import { caPublicRoutes } from './modules/ca/public-routes.ts';
import { createRevocationRequestService } from './modules/ca/revocation-requests.ts';
import { applicantCaRoutes, productionCaRoutes } from './modules/ca/routes.ts';
import { scheduleAutoComplete } from './modules/production/auto-complete.ts';
import { productionRoutes, receiptRoutes } from './modules/production/routes.ts';
import { createProductionService } from './modules/production/service.ts';
import type { BlobStore } from './storage/blob-store.ts';
import { LocalBlobStore, localBlobRoot } from './storage/local.ts';
import { createOperatorChannel, type OperatorChannel } from './operator/channel.ts';
import { deriveKeys, loadMasterSecret } from './security/keys.ts';
import { createMetrics } from './metrics/metrics.ts';
import { metricsRoutes } from './metrics/routes.ts';

z.config(z.locales.zhCN());

export const SMS_SIMULATOR_PREFIX = '/sim/aliyun-sms';
export const REGISTRY_SIMULATOR_PREFIX = '/sim/registry';
export const WECHATPAY_SIMULATOR_PREFIX = '/sim/wechatpay';
const webDist = fileURLToPath(new URL('../web/dist', import.meta.url));

export interface CertDeskOptions {
  /** The clock every rule reads; tests pass one they can move. */
  clock?: () => Date;
  logger?: Logger;
  /** Replaces the configured SMS provider (tests of failure paths). */
  smsProvider?: SmsProvider;
  /** Replaces the configured registry (tests of failure paths). */
  registry?: RegistryProvider;
  /** Replaces the configured blob store. */
  blobs?: BlobStore;
  /** Called for every message the SMS simulator accepts (the console print in demo mode). */
  onSimulatedSms?: (sms: SimulatedSms) => void;
  /** Replaces the configured WeChat Pay provider (tests of failure paths). */
  wechatPay?: WechatPayProvider;
  /** Tests: shorter notify retries and refund times in the WeChat Pay simulator. */
  wechatPaySimulatorTiming?: Pick<WechatPaySimulatorOptions, 'notifyRetryDelaysMs' | 'refundDelayMs'>;
  /** Benchmarks: the SMS workers' tuning instead of the configured one (the baseline's polling-only worker). */
  smsWorker?: Partial<SmsWorkerOptions>;
  /** Embedded database only: open it from this migrated copy (tests; see openDatabase). */
  pgliteSnapshot?: Blob;
  /** The WeChat Pay simulator's merchant, instead of new keys (two RSA keys cost tests ~0.4 s an app). */
  simulatedMerchant?: SimulatedMerchant;
}

export interface CertDesk {
  app: FastifyInstance;
  database: Database;
  config: Config;
  /** The WeChat Pay simulator's test controls (pay, forge, replay), when it is the provider. */
  wechatPaySimulator: WechatPaySimControls | undefined;
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
  services: { applications: ApplicationsService; review: ReviewService };
  /** Starts listening, then the workers (the simulator's address is known only then). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

function notListening(): never {
  throw new Error('outside parties (registry, WeChat Pay) are reached only once the server listens');
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
  const database = await openDatabase(config.database, {
    owner: { kind: 'server' },
    guardRootHandle: config.mode !== 'production',
    pgliteSnapshot: options.pgliteSnapshot,
    events: { onConnectionError: (err) => outage.failed(err, 'connection'), onConnected: () => outage.recovered() },
  });
  await database.migrate();
  const keys = deriveKeys(await loadMasterSecret(config, database.db, clock()));
  // Before anything else starts: production refuses to run without its CA (`certdesk ca init`).
  const ca = await openCaModule({
    config,
    db: database.db,
    derivedPassphrase: keys.caKeyPassphrase,
    clock,
    log,
    actor: { kind: 'system', id: 'ca' },
    observer: metrics.ca,
  }).catch(async (err: unknown) => {
    await database.close();
    throw err;
  });
  const boss: JobQueue = await startJobQueue(database, log, outage);
  const jobCompletionFailed = (err: unknown) => outage.failed(err, 'job completion');
  const sms = await createSmsDelivery(boss, keys.jobSeal, log, jobCompletionFailed);
  const staffDir = staffDirectory(database.db);
  const auth = createAuthService({
    db: database.db,
    policy: config.auth,
    codeHmacKey: keys.codeHmac,
    sms,
    clock,
    log,
    staffPrincipal: staffDir.principal,
  });
  const staff = createStaffService({ db: database.db, auth, totpKey: keys.totpSeal, clock, log });
  if (config.mode === 'demo') await seedDemoStaff(database.db, keys.totpSeal, clock(), log);

  // The registry adapter needs the simulator's address, known only once the server listens.
  let registryTarget: RegistryProvider | undefined = options.registry;
  const registry = metrics.provider('registry', () => registryTarget ?? notListening());
  const blobs = options.blobs ?? (await openBlobStore(config));
  const notices = createApplicantNotices(sms, auth.applicantPhone);
  const payments = createPaymentsService({ db: database.db, clock, log, blobs, config: config.payments, notices });
  const catalogue = createCatalogueService(database.db);
  const attachmentService = createAttachmentService(database.db, blobs, log);
  const review = createReviewService({
    db: database.db,
    clock,
    log,
    attachments: attachmentService,
    catalogue,
    staffNames: staffDir.names,
    validCertificates: (uscc) => ca.ca.validForUscc(uscc),
    certificate: (serial) => ca.ca.certificate(serial),
    notices,
    // 资料审核通过: the bank transfer's remittance code exists at once (the list and the SMS point to it).
    onApproved: async (tx, app) => void (await payments.openBankTransfer(tx, app)),
  });
  const production = createProductionService({
    db: database.db,
    clock,
    log,
    catalogue,
    notices,
    pickupAddress: config.pickupAddress,
    autoCompleteDays: config.autoCompleteDays,
    // 邮寄 / 通知自取 only once a certificate that is neither revoked nor expired, and the seal, exist.
    handOverProblem: (applicationId) => ca.seals.handOverProblem(applicationId),
  });
  const reminders = createExpiryReminders({ db: database.db, clock, log, notices, thresholds: config.renewal.reminderDays });
  const contractDocuments = createContractDocuments({
    db: database.db,
    blobs,
    caName: config.caName,
    signing: () => {
      const d = ca.cas.documentSigner;
      return { signer: d.signer, certificate: d.certificate, serialHex: d.serialHex, chain: [ca.cas.issuing.p256.certificate, ca.cas.roots.p256.certificate] };
    },
  });
  const applications = createApplicationsService({
    contractDocuments,
    db: database.db,
    clock,
    log,
    caName: config.caName,
    pickupAddress: config.pickupAddress,
    identity: createIdentityService(registry, log),
    catalogue,
    contracts: createContractService(database.db),
    attachments: attachmentService,
    review,
    staffNames: staffDir.names,
    certificates: { certificate: (serial) => ca.ca.certificate(serial), successorOf: (serial) => ca.ca.successorOf(serial) },
    renewalPolicy: config.renewal,
    // As at a reviewer's 审核通过: the remittance code, then the SMS, with the change.
    onAutoApproved: async (tx, row) => {
      await payments.openBankTransfer(tx, row);
      await notices.send(tx, row.applicantId, 'review_approved', { number: row.number, amount: formatYuan(row.priceFen) });
    },
  });

  // WeChat Pay: the simulator's address, like the registry's, is known only once the server listens.
  const wechatSettings = config.payments.wechat;
  const simulatedPay =
    wechatSettings.provider === 'simulator' ? (options.simulatedMerchant ?? simulatedMerchant({ merchantName: config.caName })) : undefined;
  let wechatTarget: WechatPayProvider | undefined =
    options.wechatPay ?? (wechatSettings.provider === 'wechatpay' ? new WechatPayV3Client({ ...wechatSettings, now: clock }) : undefined);
  const wechatPay = metrics.provider('wechatpay', () => wechatTarget ?? notListening());
  let publicBase = config.publicUrl;
  const wechat = createWechatPayments({
    db: database.db,
    clock,
    log,
    provider: () => wechatPay,
    notifyUrl: () =>
      (wechatSettings.provider === 'wechatpay' ? wechatSettings.notifyUrl : undefined) ?? `${publicBase ?? ''}${WECHATPAY_NOTIFY_PATH}`,
    orderTtlMinutes: config.payments.orderTtlMinutes,
    caName: config.caName,
    payPage: simulatedPay ? (codeUrl) => payPageUrl(codeUrl, WECHATPAY_SIMULATOR_PREFIX) : undefined,
    onPaid: payments.paid,
  });
  const finance = createFinance(database.db, clock, payments, wechat);

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

  await app.register(swagger, {
    openapi: { info: { title: 'CertDesk API', description: '数字证书在线受理平台接口', version: '0.1.0' } },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(cookie);
  await app.register(sessionPlugin, {
    auth,
    cookieSecure: config.cookieSecure,
    csrfExemptPrefixes: ['/sim/', WECHATPAY_NOTIFY_PATH],
  });

  registerProbes(app, {
    database: async () => {
      await database.db.execute(sql`SELECT 1`);
    },
    jobs: async () => {
      if (!sms.started) throw new Error('SMS workers not running');
      await checkQueue(boss, SMS_LOGIN_CODE_QUEUE);
    },
    keys: async () => ca.checkKeys(),
  });
  await app.register(metricsRoutes, { metrics, token: config.metricsToken });

  await app.register(authRoutes, { auth });
  await app.register(staffRoutes, { staff });
  await app.register(applicationRoutes, {
    applications,
    catalogue,
    listDetails: {
      bankInstructionsOf: (rows) => payments.bankInstructionsOf(rows),
      sealAwaitedAmong: (rows) => ca.seals.awaitedAmong(rows),
      expiryAmong: (rows) => ca.ca.expiryAmong(rows.map((r) => r.id), config.renewal),
    },
  });
  await app.register(consoleApplicationRoutes, { applications });
  await app.register(reviewRoutes, { review, attachments: attachmentService, clock });
  await app.register(paymentRoutes, { payments, wechat });
  await app.register(wechatNotifyRoute, { wechat });
  await app.register(financeRoutes, { payments, finance });
  await app.register(catalogueAdminRoutes, { admin: createCatalogueAdmin(database.db, clock) });
  await app.register(contractAdminRoutes, { admin: createContractAdmin(database.db, clock) });
  await app.register(smsTemplateAdminRoutes, { admin: createSmsTemplateAdmin(database.db, clock), signName: config.sms.signName });
  await app.register(productionRoutes, { production });
  await app.register(receiptRoutes, { production });
  await app.register(caPublicRoutes, { ca: ca.ca, verifier: ca.verifier });
  const revocations = createRevocationRequestService({ db: database.db, ca: ca.ca, clock, log, notices });
  await app.register(productionCaRoutes, { ca: ca.ca, seals: ca.seals, revocations, clock });
  await app.register(applicantCaRoutes, {
    ca: ca.ca,
    seals: ca.seals,
    revocations,
    clock,
    onlineRenewal: ca.onlineRenewal,
    renewalPolicy: config.renewal,
    renewalsUnderWay: (serials) => renewalsUnderWay(database.db, serials),
  });

  const outbox = new DbSmsOutbox(database.db);
  if (config.sms.provider === 'simulator') {
    await app.register(
      smsSimulatorPlugin({
        outbox,
        accessKeys: { [config.sms.accessKeyId]: config.sms.accessKeySecret },
        signNames: [config.sms.signName],
        templates: () => smsTemplateTexts(database.db, config.sms.templates),
        now: clock,
        onDelivered: options.onSimulatedSms,
      }),
      { prefix: SMS_SIMULATOR_PREFIX },
    );
  }
  if (config.registry.provider === 'simulator') {
    await app.register(registrySimulatorPlugin({ fixtures: registryFixtures, credentials: { [config.registry.accessKeyId]: config.registry.accessKeySecret }, now: clock }), {
      prefix: REGISTRY_SIMULATOR_PREFIX,
    });
  }
  let wechatPaySimulator: WechatPaySimControls | undefined;
  if (simulatedPay) {
    const sim = createWechatPaySimulator({ ...simulatedPay.simulator, ...options.wechatPaySimulatorTiming, now: clock, prefix: WECHATPAY_SIMULATOR_PREFIX });
    await app.register(sim.plugin, { prefix: WECHATPAY_SIMULATOR_PREFIX });
    wechatPaySimulator = sim.controls;
  }
  if (config.devPages) {
    await app.register(devRoutes, { outbox, registryPage: () => renderRegistryHtml(registryFixtures) });
    await app.register(staffDevRoutes, { db: database.db, totpKey: keys.totpSeal, clock });
  }

  const portalBuilt = existsSync(webDist);
  if (portalBuilt) await app.register(fastifyStatic, { root: webDist, wildcard: false });
  registerNotFound(app, portalBuilt);

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
  return {
    app,
    database,
    config,
    wechatPaySimulator,
    ca,
    get operatorSocket() {
      return operatorChannel?.listening ? operatorChannel.socketPath : undefined;
    },
    sms,
    auth,
    reminders,
    services: { applications, review },
    async listen() {
      const address = await app.listen({ host: config.host, port: config.port });
      const port = (app.server.address() as { port: number }).port;
      const provider =
        options.smsProvider ??
        new AliyunSmsProvider({
          endpoint: config.sms.endpoint ?? `http://127.0.0.1:${port}${SMS_SIMULATOR_PREFIX}/`,
          accessKeyId: config.sms.accessKeyId,
          accessKeySecret: config.sms.accessKeySecret,
          signName: config.sms.signName,
          templates: config.sms.templates,
          now: clock,
        });
      registryTarget ??= new AliyunRegistryProvider({
        endpoint: config.registry.endpoint ?? `http://127.0.0.1:${port}${REGISTRY_SIMULATOR_PREFIX}/`,
        accessKeyId: config.registry.accessKeyId,
        accessKeySecret: config.registry.accessKeySecret,
        now: clock,
      });
      publicBase ??= `http://127.0.0.1:${port}`;
      if (simulatedPay) {
        wechatTarget ??= new WechatPayV3Client({ ...simulatedPay.merchant, baseUrl: `http://127.0.0.1:${port}${WECHATPAY_SIMULATOR_PREFIX}`, now: clock });
      }
      sms.start(metrics.provider('sms', () => provider), { concurrency: config.sms.sendConcurrency, ...options.smsWorker });
      autoComplete = await scheduleAutoComplete(boss, production, log, jobCompletionFailed);
      expiryReminders = await scheduleExpiryReminders(boss, reminders, log, jobCompletionFailed);
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
      await Promise.all([sms.stop(), autoComplete?.stop(), expiryReminders?.stop()]);
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
