/**
 * Test setup for the e-invoice adapter against its simulator over real HTTP on 127.0.0.1: the
 * simulator mounted as the app mounts it, an adapter built from the demo configuration, and a
 * helper that asks until an invoice is no longer pending. For tests only.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig, type EInvoiceConfig } from '../../config.ts';
import { startTestServer } from '../aliyun/test-server.ts';
import { NuonuoClient, type NuonuoConfig } from './client.ts';
import { EINVOICE_SIMULATOR_PREFIX, einvoiceClient, einvoiceSimulator } from './demo.ts';
import type { NuonuoSimControls, NuonuoSimulatorOptions } from './simulator.ts';
import type { BlueInvoiceRequest, InvoiceResult } from './types.ts';

export const PREFIX = EINVOICE_SIMULATOR_PREFIX;

export const BUYER_USCC = '91150105MA0N2Q5X1J';
/** A long-lived token the simulator knows from the start (as a 自用型应用's would be). */
export const TEST_TOKEN = 'test-access-token-0001';

export interface Harness {
  app: FastifyInstance;
  base: string;
  endpoint: string;
  config: EInvoiceConfig;
  controls: NuonuoSimControls;
  client(overrides?: Partial<NuonuoConfig>): NuonuoClient;
  request(overrides?: Partial<BlueInvoiceRequest>): BlueInvoiceRequest;
  /** Queries until the invoice is issued, failed or unknown (a few seconds at most). */
  settle(client: NuonuoClient, orderNo: string): Promise<InvoiceResult>;
}

let sequence = 0;

/** A fresh order number per call, so tests sharing one simulator never collide. */
export function orderNo(prefix = 'CDI'): string {
  sequence += 1;
  return `${prefix}${(process.pid % 1000).toString().padStart(3, '0')}${Date.now().toString(36).slice(-6)}${sequence}`.slice(0, 20);
}

export async function startHarness(simulator: Partial<NuonuoSimulatorOptions> = {}): Promise<Harness> {
  const config = loadConfig({}).einvoice;
  const sim = einvoiceSimulator(config, { issuingDelayMs: 30, accessTokens: { [TEST_TOKEN]: config.appKey }, ...simulator });
  const { app, base } = await startTestServer(async (server) => {
    await server.register(sim.plugin, { prefix: PREFIX });
  });
  return {
    app,
    base,
    endpoint: `${base}${PREFIX}/open/v1/services`,
    config,
    controls: sim.controls,
    client(overrides = {}) {
      const client = einvoiceClient({ ...config, timeoutMs: 2_000 }, { simulatorBase: base });
      return Object.keys(overrides).length === 0 ? client : new NuonuoClient({ ...clientConfig(config, base), ...overrides });
    },
    request(overrides = {}) {
      return {
        orderNo: orderNo(),
        kind: 'normal',
        buyer: { name: '内蒙古草原云数据有限公司', taxNumber: BUYER_USCC },
        totalFen: 16_000,
        orderedAt: new Date('2026-11-25T02:30:00Z'),
        remark: '申请单号 CD20261125000123',
        ...overrides,
      };
    },
    async settle(client, no) {
      for (let i = 0; i < 200; i++) {
        const result = await client.query(no);
        if (result.status !== 'pending') return result;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`invoice ${no} still pending`);
    },
  };
}

function clientConfig(config: EInvoiceConfig, base: string): NuonuoConfig {
  return {
    endpoint: `${base}${PREFIX}/open/v1/services`,
    tokenUrl: `${base}${PREFIX}/accessToken`,
    appKey: config.appKey,
    appSecret: config.appSecret,
    seller: config.seller,
    service: config.service,
    clerk: config.clerk,
    timeoutMs: 2_000,
  };
}

/** One harness per test file: started before and closed after its tests. */
export function useHarness(started: (harness: Harness) => void, simulator: Partial<NuonuoSimulatorOptions> = {}): void {
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await startHarness(simulator);
    started(harness);
  });
  afterAll(async () => {
    await harness?.controls.settled();
    await harness?.app.close();
  });
}
