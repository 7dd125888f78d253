/**
 * From configuration to a provider: the real adapter for 诺诺, or the same adapter pointed at the
 * simulator the app mounts under EINVOICE_SIMULATOR_PREFIX (its credentials and seller are the
 * configuration's demo ones, so both sides agree without any secret).
 */
import type { EInvoiceConfig } from '../../config.ts';
import { NuonuoClient } from './client.ts';
import { SERVICE_PATH, TOKEN_PATH } from './protocol.ts';
import { createNuonuoSimulator, type NuonuoSimulator, type NuonuoSimulatorOptions } from './simulator.ts';

export const EINVOICE_SIMULATOR_PREFIX = '/sim/nuonuo';

/** The simulator that accepts `config`'s app and seller; mount its plugin at EINVOICE_SIMULATOR_PREFIX. */
export function einvoiceSimulator(config: EInvoiceConfig, extra: Partial<NuonuoSimulatorOptions> = {}): NuonuoSimulator {
  return createNuonuoSimulator({
    apps: { [config.appKey]: config.appSecret },
    seller: config.seller,
    prefix: EINVOICE_SIMULATOR_PREFIX,
    ...extra,
  });
}

/**
 * The adapter for `config`. For the simulator, `simulatorBase` is where the app listens
 * (http://127.0.0.1:<port>), known once the server has its port.
 */
export function einvoiceClient(config: EInvoiceConfig, opts: { simulatorBase?: string; now?: () => Date } = {}): NuonuoClient {
  let endpoint = config.endpoint;
  let tokenUrl = config.tokenUrl;
  if (config.provider === 'simulator') {
    if (opts.simulatorBase === undefined) throw new Error('the e-invoice simulator needs the address the app listens on');
    const base = `${opts.simulatorBase.replace(/\/+$/, '')}${EINVOICE_SIMULATOR_PREFIX}`;
    endpoint = `${base}${SERVICE_PATH}`;
    tokenUrl = `${base}${TOKEN_PATH}`;
  }
  return new NuonuoClient({
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(tokenUrl === undefined ? {} : { tokenUrl }),
    appKey: config.appKey,
    appSecret: config.appSecret,
    ...(config.accessToken ? { accessToken: config.accessToken } : {}),
    seller: config.seller,
    service: config.service,
    clerk: config.clerk,
    timeoutMs: config.timeoutMs,
    ...(opts.now ? { now: opts.now } : {}),
  });
}
