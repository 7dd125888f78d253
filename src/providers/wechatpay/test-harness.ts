/**
 * Test setup for the WeChat Pay adapter against its simulator over real HTTP on 127.0.0.1: the
 * simulator mounted as the app mounts it, a merchant notify endpoint that records what arrives,
 * and a clock both sides read, which tests move instead of waiting. For tests only.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startTestServer } from '../aliyun/test-server.ts';
import { WechatPayV3Client, type WechatPayConfig } from './client.ts';
import { simulatedMerchant, type SimulatedMerchant } from './demo.ts';
import { createWechatPaySimulator, type WechatPaySimControls, type WechatPaySimulatorOptions } from './simulator.ts';
import type { NativeOrderRequest, NotifyInput } from './types.ts';

export const PREFIX = '/sim/wechatpay';

export interface Harness {
  app: FastifyInstance;
  base: string;
  pair: SimulatedMerchant;
  controls: WechatPaySimControls;
  platformPublicKeys: Record<string, string>;
  /** Notifications as the merchant's endpoint received them, oldest first. */
  received: NotifyInput[];
  /** Statuses the notify endpoint answers with, one per request; 204 once they run out. */
  notifyAnswers: number[];
  /** Moves both sides' clock. */
  advance(ms: number): void;
  client(overrides?: Partial<WechatPayConfig>): WechatPayV3Client;
  order(overrides?: Partial<NativeOrderRequest>): NativeOrderRequest;
  reset(): void;
}

let sequence = 0;

/** A fresh out_trade_no per call, so tests sharing one simulator never collide. */
export function tradeNo(prefix = 'CD'): string {
  sequence += 1;
  return `${prefix}${process.pid}T${Date.now().toString(36)}N${sequence}`;
}

/** `simulator` overrides the quick test settings (retry delays of 5 ms, refunds done after 20 ms). */
export async function startHarness(simulator: Partial<WechatPaySimulatorOptions> = {}): Promise<Harness> {
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);
  const pair = simulatedMerchant();
  const sim = createWechatPaySimulator({ ...pair.simulator, now: clock, notifyRetryDelaysMs: [5, 5, 5], refundDelayMs: 20, ...simulator });
  const received: NotifyInput[] = [];
  const notifyAnswers: number[] = [];

  const { app, base } = await startTestServer(async (server) => {
    await server.register(sim.plugin, { prefix: PREFIX });
    await server.register(async (merchant) => {
      // The merchant's endpoint keeps the raw bytes: the signature covers them, not a re-serialisation.
      merchant.removeAllContentTypeParsers();
      merchant.addContentTypeParser('*', { parseAs: 'string' }, (_r, body, done) => done(null, body));
      merchant.post('/notify', async (request, reply) => {
        received.push({ headers: { ...request.headers }, rawBody: typeof request.body === 'string' ? request.body : '' });
        return reply.status(notifyAnswers.shift() ?? 204).send();
      });
      merchant.post('/hang/*', () => new Promise<never>(() => {}));
      merchant.get('/broken/*', async (_request, reply) => reply.status(502).type('text/html').send('<h1>Bad Gateway</h1>'));
    });
  });

  return {
    app,
    base,
    pair,
    controls: sim.controls,
    platformPublicKeys: sim.platformPublicKeys,
    received,
    notifyAnswers,
    advance(ms) {
      offsetMs += ms;
    },
    client(overrides = {}) {
      return new WechatPayV3Client({ ...pair.merchant, baseUrl: `${base}${PREFIX}`, now: clock, ...overrides });
    },
    order(overrides = {}) {
      return {
        outTradeNo: tradeNo(),
        description: 'CertDesk-单位数字证书及电子印章',
        amountFen: 19_500,
        timeExpire: new Date(clock().getTime() + 2 * 3600_000),
        notifyUrl: `${base}/notify`,
        attach: 'application=A2026112600001',
        ...overrides,
      };
    },
    reset() {
      offsetMs = 0;
      received.length = 0;
      notifyAnswers.length = 0;
    },
  };
}

/** One harness per test file: started before, cleared between and closed after its tests. */
export function useHarness(started: (harness: Harness) => void): void {
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await startHarness();
    started(harness);
  });
  afterAll(async () => {
    await harness?.controls.settled();
    await harness?.app.close();
  });
  beforeEach(() => harness?.reset());
}
