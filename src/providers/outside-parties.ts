/**
 * The outside parties the platform talks to (SMS gateway, identity/enterprise registry, WeChat Pay,
 * the e-invoice platform):
 * the real adapter for each documented protocol, pointed either at the configured endpoint or — by
 * default — at the loopback simulator this same server serves under /sim/*. A simulator's address is
 * known only once the server listens, so the services get late-bound handles here and `bind(port)`
 * points them at it; the simulators themselves are one Fastify plugin (`simulatorsPlugin`).
 */
import { devWebhookRoutes } from '../dev/webhook-receiver.ts';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.ts';
import type { ChangeFeed } from '../db/change-feed.ts';
import type { Db } from '../db/database.ts';
import { DbSmsOutbox } from '../dev/sms-outbox.ts';
import { devRoutes } from '../dev/routes.ts';
import { devInvoiceRoutes } from '../dev/invoice-page.ts';
import { devMailRoutes } from '../dev/mail-routes.ts';
import type { MailOutbox } from './mail/simulator.ts';
import { EINVOICE_SIMULATOR_PREFIX, einvoiceClient, einvoiceSimulator } from './einvoice/demo.ts';
import type { NuonuoSimControls } from './einvoice/simulator.ts';
import type { EInvoiceProvider } from './einvoice/types.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { smsTemplateTexts } from '../modules/notifications/sms.ts';
import { staffDevRoutes } from '../modules/staff/demo.ts';
import { AliyunRegistryProvider } from './registry/aliyun.ts';
import { registryFixtures } from './registry/fixtures.ts';
import { renderRegistryHtml } from './registry/page.ts';
import { registrySimulatorPlugin } from './registry/simulator.ts';
import type { RegistryProvider } from './registry/types.ts';
import { AliyunSmsProvider } from './sms/aliyun.ts';
import { smsSimulatorPlugin, type SimulatedSms } from './sms/simulator.ts';
import type { SmsProvider } from './sms/types.ts';
import { WechatPayV3Client } from './wechatpay/client.ts';
import { simulatedMerchantInBackground, type SimulatedMerchant } from './wechatpay/demo.ts';
import { payPageUrl } from './wechatpay/pay-page.ts';
import { createWechatPaySimulator, type WechatPaySimControls, type WechatPaySimulatorOptions } from './wechatpay/simulator.ts';
import type { WechatPayProvider } from './wechatpay/types.ts';

export const SMS_SIMULATOR_PREFIX = '/sim/aliyun-sms';
export const REGISTRY_SIMULATOR_PREFIX = '/sim/registry';
export const WECHATPAY_SIMULATOR_PREFIX = '/sim/wechatpay';

/** What tests and benchmarks may put in place of a configured party. */
export interface OutsidePartyOverrides {
  smsProvider?: SmsProvider;
  registry?: RegistryProvider;
  wechatPay?: WechatPayProvider;
  /** The WeChat Pay simulator's merchant, instead of new keys (two RSA keys cost tests ~0.4 s an app). */
  simulatedMerchant?: SimulatedMerchant;
  wechatPaySimulatorTiming?: Pick<WechatPaySimulatorOptions, 'notifyRetryDelaysMs' | 'refundDelayMs'>;
  onSimulatedSms?: (sms: SimulatedSms) => void;
  /** Replaces the configured e-invoice platform (tests of failure paths). */
  einvoice?: EInvoiceProvider;
}

function notListening(): never {
  throw new Error('outside parties (registry, WeChat Pay) are reached only once the server listens');
}

/**
 * The WeChat Pay simulator's merchant when payments are simulated: the one given, or new keys made
 * on the thread pool (two RSA keys, ~0.25 s of CPU), which a server starting asks for first and
 * takes once its database is open.
 */
export function simulatedMerchantFor(config: Config, overrides: OutsidePartyOverrides): Promise<SimulatedMerchant | undefined> {
  if (config.payments.wechat.provider !== 'simulator') return Promise.resolve(undefined);
  return overrides.simulatedMerchant ? Promise.resolve(overrides.simulatedMerchant) : simulatedMerchantInBackground({ merchantName: config.caName });
}

/**
 * `metrics` counts every call to a party by its outcome (src/metrics). `simulatedPay`: the
 * simulator's merchant (simulatedMerchantFor), when WeChat Pay is simulated.
 */
export function outsideParties(
  config: Config,
  clock: () => Date,
  overrides: OutsidePartyOverrides,
  metrics: Pick<Metrics, 'provider'>,
  simulatedPay: SimulatedMerchant | undefined,
) {
  let registryTarget = overrides.registry;
  const registry: RegistryProvider = metrics.provider('registry', () => registryTarget ?? notListening());

  const wechatSettings = config.payments.wechat;
  if (wechatSettings.provider === 'simulator' && !simulatedPay) throw new Error('outsideParties: WeChat Pay is simulated, but no merchant was given');
  let wechatTarget: WechatPayProvider | undefined =
    overrides.wechatPay ?? (wechatSettings.provider === 'wechatpay' ? new WechatPayV3Client({ ...wechatSettings, now: clock }) : undefined);
  const wechatPay = metrics.provider('wechatpay', () => wechatTarget ?? notListening());
  let publicBase = config.publicUrl;

  let einvoiceTarget: EInvoiceProvider | undefined =
    overrides.einvoice ?? (config.einvoice.provider === 'nuonuo' ? einvoiceClient(config.einvoice, { now: clock }) : undefined);
  const einvoice = metrics.provider('einvoice', () => einvoiceTarget ?? notListening());

  return {
    registry,
    /** WeChat Pay as the payments module reaches it. */
    wechatPay: () => wechatPay,
    /** Where WeChat Pay posts its notifications: the configured URL, else this server's own. */
    wechatNotifyUrl: (path: string) =>
      (wechatSettings.provider === 'wechatpay' ? wechatSettings.notifyUrl : undefined) ?? `${publicBase ?? ''}${path}`,
    /** The simulator's payer page for a code_url (the portal links to it), when the simulator is the provider. */
    payPage: simulatedPay ? (codeUrl: string) => payPageUrl(codeUrl, WECHATPAY_SIMULATOR_PREFIX) : undefined,
    simulatedPay,
    /** The e-invoice platform as the invoices module reaches it. */
    einvoice: () => einvoice,

    /** Once listening: points the adapters at the simulators (or keeps the configured endpoints); the SMS provider to start the workers with. */
    bind(port: number): SmsProvider {
      registryTarget ??= new AliyunRegistryProvider({
        endpoint: config.registry.endpoint ?? `http://127.0.0.1:${port}${REGISTRY_SIMULATOR_PREFIX}/`,
        accessKeyId: config.registry.accessKeyId,
        accessKeySecret: config.registry.accessKeySecret,
        now: clock,
      });
      publicBase ??= `http://127.0.0.1:${port}`;
      einvoiceTarget ??= einvoiceClient(config.einvoice, { simulatorBase: `http://127.0.0.1:${port}`, now: clock });
      if (simulatedPay) {
        wechatTarget ??= new WechatPayV3Client({ ...simulatedPay.merchant, baseUrl: `http://127.0.0.1:${port}${WECHATPAY_SIMULATOR_PREFIX}`, now: clock });
      }
      return (
        overrides.smsProvider ??
        new AliyunSmsProvider({
          endpoint: config.sms.endpoint ?? `http://127.0.0.1:${port}${SMS_SIMULATOR_PREFIX}/`,
          accessKeyId: config.sms.accessKeyId,
          accessKeySecret: config.sms.accessKeySecret,
          signName: config.sms.signName,
          templates: config.sms.templates,
          now: clock,
        })
      );
    },
  };
}

export type OutsideParties = ReturnType<typeof outsideParties>;

export interface SimulatorsOptions {
  config: Config;
  db: Db;
  /** What was written: the SMS simulator reads the template texts again only after a new version. */
  changes: ChangeFeed;
  clock: () => Date;
  parties: OutsideParties;
  overrides: OutsidePartyOverrides;
  totpKey: Buffer;
  /** Set once registered: the WeChat Pay simulator's test controls. */
  onWechatPaySimulator: (controls: WechatPaySimControls) => void;
  /** Set once registered: the e-invoice simulator's test controls. */
  onEInvoiceSimulator: (controls: NuonuoSimControls) => void;
  /** The mail simulator's store and port (/dev/mail), when it is the provider. */
  mail: { outbox: MailOutbox; port: () => number | undefined } | undefined;
  /** /dev/webhooks' receiver checks a webhook's signature as the platform would (with its key). */
  webhookSignatureValid: (keyId: string, signature: string, body: string) => Promise<boolean>;
}

/** The loopback simulators of the configured-as-simulator parties, and the /dev pages to look inside them. */
export const simulatorsPlugin: FastifyPluginAsync<SimulatorsOptions> = async (app, o) => {
  const { config, db, clock } = o;
  const outbox = new DbSmsOutbox(db);
  if (config.sms.provider === 'simulator') {
    await app.register(
      smsSimulatorPlugin({
        outbox,
        accessKeys: { [config.sms.accessKeyId]: config.sms.accessKeySecret },
        signNames: [config.sms.signName],
        templates: () => smsTemplateTexts(db, o.changes, config.sms.templates),
        now: clock,
        onDelivered: o.overrides.onSimulatedSms,
      }),
      { prefix: SMS_SIMULATOR_PREFIX },
    );
  }
  if (config.registry.provider === 'simulator') {
    await app.register(
      registrySimulatorPlugin({ fixtures: registryFixtures, credentials: { [config.registry.accessKeyId]: config.registry.accessKeySecret }, now: clock }),
      { prefix: REGISTRY_SIMULATOR_PREFIX },
    );
  }
  const pay = o.parties.simulatedPay;
  if (pay) {
    const sim = createWechatPaySimulator({ ...pay.simulator, ...o.overrides.wechatPaySimulatorTiming, now: clock, prefix: WECHATPAY_SIMULATOR_PREFIX });
    await app.register(sim.plugin, { prefix: WECHATPAY_SIMULATOR_PREFIX });
    o.onWechatPaySimulator(sim.controls);
  }
  let einvoice: NuonuoSimControls | undefined;
  if (config.einvoice.provider === 'simulator') {
    const sim = einvoiceSimulator(config.einvoice, { now: clock });
    await app.register(sim.plugin, { prefix: EINVOICE_SIMULATOR_PREFIX });
    einvoice = sim.controls;
    o.onEInvoiceSimulator(sim.controls);
  }
  if (config.devPages) {
    await app.register(devRoutes, { outbox, registryPage: () => renderRegistryHtml(registryFixtures) });
    if (einvoice) await app.register(devInvoiceRoutes, { controls: einvoice, simulatorPrefix: EINVOICE_SIMULATOR_PREFIX });
    if (o.mail) await app.register(devMailRoutes, { outbox: o.mail.outbox, smtpPort: o.mail.port });
    await app.register(staffDevRoutes, { db, totpKey: o.totpKey, clock });
    await app.register(devWebhookRoutes, { verify: o.webhookSignatureValid, clock });
  }
};
