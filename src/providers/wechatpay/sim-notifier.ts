/**
 * The simulator's outgoing notifications: the envelope with its AEAD_AES_256_GCM resource, the
 * platform signature, delivery to notify_url with retries on anything but 2xx (re-signed each time,
 * as WeChat Pay does), and the faults tests ask for: delay, drop, and forgeries sent instead of the
 * genuine notification (which is kept, so a test can send it afterwards with replay).
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FailureSwitch } from '../aliyun/gateway-sim.ts';
import type { NotifyEnvelope } from './protocol.ts';
import { aeadEncrypt, beijingTime, generateRsaKeyPair, privateKeyFromPem, randomNonce, signAsPlatform, wechatpayHeaders } from './signing.ts';

export type NotifyFault =
  /** Wait before the first attempt. */
  | { kind: 'delay'; ms: number }
  /** Never send it. */
  | { kind: 'drop' }
  /** Signed by the platform key over other bytes. */
  | { kind: 'bad-signature' }
  /** Another amount, encrypted under the right APIv3 key, signed by a key that is not the platform's. */
  | { kind: 'foreign-key'; amountFen?: number }
  /** Correctly signed, with a Wechatpay-Timestamp this far in the past (default 10 minutes). */
  | { kind: 'stale'; ageMs?: number }
  /** Correctly signed, encrypted under another APIv3 key. */
  | { kind: 'wrong-apiv3-key' }
  /** WeChat Pay's own probe: a signature prefixed WECHATPAY/SIGNTEST/. */
  | { kind: 'signature-probe' };

/** Lets a test change what happens to the next notifications, one fault each. */
export class NotifyFaultSwitch extends FailureSwitch<NotifyFault> {}

export interface NotifyDelivery {
  /** The notification id; a replay carries the same one. */
  id: string;
  eventType: string;
  url: string;
  outTradeNo: string;
  outRefundNo?: string;
  fault?: NotifyFault['kind'];
  replay: boolean;
  attempts: number;
  delivered: boolean;
  /** One per attempt: the HTTP status, or the network error's code. */
  outcomes: (number | string)[];
}

export interface PlatformKey {
  serial: string;
  privateKey: KeyObject;
}

export interface NotifierOptions {
  platform: PlatformKey;
  apiV3Key: string;
  now: () => Date;
  /** Waits between attempts of a genuine notification; WeChat Pay's own start 15s, 15s, 30s, 3m … */
  retryDelaysMs: number[];
  faults: NotifyFaultSwitch;
  /** WeChat Pay gives a notify endpoint 5 seconds. */
  attemptTimeoutMs?: number;
  /** Aborted when the simulator stops: waits and attempts end there. */
  signal?: AbortSignal;
}

interface Outgoing {
  id: string;
  url: string;
  eventType: string;
  summary: string;
  originalType: 'transaction' | 'refund';
  /** The decrypted resource, as JSON-ready data. */
  resource: Record<string, unknown>;
  outTradeNo: string;
  outRefundNo?: string;
}

export class SimNotifier {
  private readonly sent = new Map<string, Outgoing>();
  private readonly log: NotifyDelivery[] = [];
  private foreignKey: KeyObject | undefined;

  constructor(private readonly opts: NotifierOptions) {}

  /** Sends a new notification, applying the next queued fault; resolves once delivered or given up. */
  async send(n: Omit<Outgoing, 'id'>): Promise<NotifyDelivery> {
    const outgoing: Outgoing = { ...n, id: randomUUID() };
    this.sent.set(outgoing.id, outgoing);
    const fault = this.opts.faults.take();
    if (fault?.kind === 'drop') return this.record(outgoing, { fault: 'drop', replay: false, attempts: 0, delivered: false, outcomes: [] });
    if (fault?.kind === 'delay') await sleep(fault.ms, undefined, { signal: this.opts.signal });
    if (fault && fault.kind !== 'delay') {
      const outcome = await this.post(outgoing.url, ...this.forged(outgoing, fault));
      return this.record(outgoing, { fault: fault.kind, replay: false, attempts: 1, delivered: isDelivered(outcome), outcomes: [outcome] });
    }
    return this.deliver(outgoing, false, fault?.kind);
  }

  /** Sends an earlier notification again (the last one by default): same id and content, freshly signed. */
  async replay(id?: string): Promise<NotifyDelivery> {
    const outgoing = id === undefined ? [...this.sent.values()].at(-1) : this.sent.get(id);
    if (!outgoing) throw new Error(`no notification ${id ?? ''} to replay`);
    return this.deliver(outgoing, true, undefined);
  }

  deliveries(): NotifyDelivery[] {
    return [...this.log];
  }

  private async deliver(outgoing: Outgoing, replay: boolean, fault: NotifyFault['kind'] | undefined): Promise<NotifyDelivery> {
    const body = this.envelope(outgoing, this.opts.apiV3Key, outgoing.resource);
    const outcomes: (number | string)[] = [];
    for (let attempt = 0; attempt <= this.opts.retryDelaysMs.length; attempt += 1) {
      if (attempt > 0) await sleep(this.opts.retryDelaysMs[attempt - 1] ?? 0, undefined, { signal: this.opts.signal });
      const outcome = await this.post(outgoing.url, body, wechatpayHeaders(signAsPlatform(body, this.opts.platform, this.opts.now())));
      outcomes.push(outcome);
      if (isDelivered(outcome)) break;
    }
    const delivered = isDelivered(outcomes.at(-1) ?? 0);
    return this.record(outgoing, { replay, attempts: outcomes.length, delivered, outcomes, ...(fault ? { fault } : {}) });
  }

  private record(outgoing: Outgoing, result: Omit<NotifyDelivery, 'id' | 'eventType' | 'url' | 'outTradeNo' | 'outRefundNo'>): NotifyDelivery {
    const delivery: NotifyDelivery = {
      id: outgoing.id,
      eventType: outgoing.eventType,
      url: outgoing.url,
      outTradeNo: outgoing.outTradeNo,
      ...(outgoing.outRefundNo === undefined ? {} : { outRefundNo: outgoing.outRefundNo }),
      ...result,
    };
    this.log.push(delivery);
    return delivery;
  }

  private envelope(outgoing: Outgoing, apiV3Key: string, resource: Record<string, unknown>): string {
    // 12 characters: the GCM nonce is these bytes as they are.
    const nonce = randomNonce().slice(0, 12);
    const envelope: NotifyEnvelope = {
      id: outgoing.id,
      create_time: beijingTime(this.opts.now()),
      resource_type: 'encrypt-resource',
      event_type: outgoing.eventType,
      summary: outgoing.summary,
      resource: {
        original_type: outgoing.originalType,
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: aeadEncrypt(apiV3Key, nonce, outgoing.originalType, JSON.stringify(resource)),
        associated_data: outgoing.originalType,
        nonce,
      },
    };
    return JSON.stringify(envelope);
  }

  private forged(outgoing: Outgoing, fault: Exclude<NotifyFault, { kind: 'delay' } | { kind: 'drop' }>): [string, Record<string, string>] {
    const platform = this.opts.platform;
    const now = this.opts.now();
    switch (fault.kind) {
      case 'bad-signature': {
        const body = this.envelope(outgoing, this.opts.apiV3Key, outgoing.resource);
        const signed = signAsPlatform(`${body} `, platform, now);
        return [body, wechatpayHeaders(signed)];
      }
      case 'foreign-key': {
        const amount = { ...(outgoing.resource['amount'] as Record<string, unknown> | undefined) };
        const fen = fault.amountFen ?? 1;
        const resource = { ...outgoing.resource, amount: { ...amount, total: fen, payer_total: fen } };
        const body = this.envelope(outgoing, this.opts.apiV3Key, resource);
        this.foreignKey ??= privateKeyFromPem(generateRsaKeyPair().privateKeyPem);
        return [body, wechatpayHeaders(signAsPlatform(body, { serial: platform.serial, privateKey: this.foreignKey }, now))];
      }
      case 'stale': {
        const body = this.envelope(outgoing, this.opts.apiV3Key, outgoing.resource);
        return [body, wechatpayHeaders(signAsPlatform(body, platform, new Date(now.getTime() - (fault.ageMs ?? 10 * 60_000))))];
      }
      case 'wrong-apiv3-key': {
        const body = this.envelope(outgoing, randomNonce(), outgoing.resource);
        return [body, wechatpayHeaders(signAsPlatform(body, platform, now))];
      }
      case 'signature-probe': {
        const body = this.envelope(outgoing, this.opts.apiV3Key, outgoing.resource);
        const signed = signAsPlatform(body, platform, now);
        return [body, wechatpayHeaders({ ...signed, signature: `WECHATPAY/SIGNTEST/${signed.signature}` })];
      }
    }
  }

  private async post(url: string, body: string, headers: Record<string, string>): Promise<number | string> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json', 'User-Agent': 'Mozilla/4.0', Accept: '*/*' },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.opts.attemptTimeoutMs ?? 5_000), ...(this.opts.signal ? [this.opts.signal] : [])]),
      });
      await res.arrayBuffer();
      return res.status;
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
      if (err instanceof Error && err.name === 'TimeoutError') return 'Timeout';
      return cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : 'NetworkError';
    }
  }
}

function isDelivered(outcome: number | string): boolean {
  return typeof outcome === 'number' && outcome >= 200 && outcome <= 299;
}
