/**
 * Webhook delivery: from the outbox (outbox.ts) through the job queue to each platform's URL.
 *
 * The writers record events without a queue handle, so a relay moves them on: once a commit wrote
 * new deliveries (the change feed tells it, here and from other instances) and at every poll, it
 * takes the pending deliveries that have no job yet and are next in their stream (a platform × an
 * application), and queues one pg-boss job each in the same transaction that marks them queued.
 * The job POSTs the event, signed with the platform's newest key; a 2xx delivers it, anything else
 * (an error status, a refused connection, no answer within the timeout) fails the job, and
 * pg-boss retries it with exponential backoff until WEBHOOK_MAX_ATTEMPTS, when it is given up.
 * Either way the attempt is recorded (每次投递), and the transaction that settles a delivery queues
 * the stream's next one: an application's events arrive in order, each at least once.
 *
 * A platform that answers slowly or never holds up nobody else: requests time out after
 * WEBHOOK_TIMEOUT_MS, the queue has its own bounded worker, and one platform may have only
 * PER_PLATFORM_IN_FLIGHT requests open in this process — its other jobs step aside for a moment.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChangeFeed } from '../../db/change-feed.ts';
import type { Db, Tx } from '../../db/database.ts';
import { transactionSql } from '../../db/connection-sql.ts';
import { createOutageLog } from '../../db/outage-log.ts';
import { webhookSignature } from '../../domain/platform-signature.ts';
import { delivered, webhookEventLabels, type WebhookEventType } from '../../domain/webhook-events.ts';
import { ensureQueue, type JobQueue } from '../../jobs/queue.ts';
import { startWorker, type QueueWorker } from '../../jobs/worker.ts';
import { secretOf } from './credentials.ts';
import * as repo from './repository.ts';

export const WEBHOOK_QUEUE = 'platform-webhook';
const PER_PLATFORM_IN_FLIGHT = 2;
const RELAY_BATCH = 100;
/** Nonces are pruned, and lost jobs found, this often. */
const MAINTENANCE_MS = 60_000;
/** A pending delivery untouched this long lost its job (it failed for good): the relay queues it again. */
const STALE_MS = 24 * 3_600_000;

export interface WebhookOptions {
  /** Requests open at once in this process (WEBHOOK_CONCURRENCY). */
  concurrency: number;
  /** Per request (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Given up after this many (WEBHOOK_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** First retry after about this long, doubling (WEBHOOK_RETRY_DELAY_SECONDS). */
  retryDelaySeconds: number;
}

/** How often the relay looks at the outbox, and the worker at the queue (for jobs others queued, and retries). */
const POLLING_INTERVAL_MS = 1000;

const jobSchema = z.object({ deliveryId: z.string(), resend: z.boolean().optional() });
type WebhookJob = z.infer<typeof jobSchema>;

/** The body every webhook carries. */
export function webhookBody(event: repo.EventRow): string {
  const type = event.type as WebhookEventType;
  return JSON.stringify({ id: event.id, type, typeLabel: webhookEventLabels[type] ?? type, occurredAt: event.occurredAt.toISOString(), data: event.data });
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `超时（${timeoutMs} 毫秒内无应答）`;
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  return `连接失败：${cause ?? (err instanceof Error ? err.message : String(err))}`;
}

export interface WebhookDelivery {
  /** 重新投递: queues the delivery's job on `tx` (the caller set it pending again). */
  resend(tx: Tx, deliveryId: string): Promise<void>;
  start(): void;
  stop(): Promise<void>;
  /** Tests: relay the outbox now instead of at the next poll. */
  relayNow(): Promise<number>;
}

export async function createWebhookDelivery(
  boss: JobQueue,
  deps: { db: Db; changes: ChangeFeed; clock: () => Date; log: Logger; keyRoot: Buffer; onCompletionError: (err: unknown) => void },
  options: WebhookOptions,
): Promise<WebhookDelivery> {
  const { db, clock, log } = deps;
  // pg-boss retries a little beyond our count: the handler decides when to give up and says why.
  // Each job carries these itself: the queue's defaults are whatever its first creator chose.
  const retry = {
    retryLimit: options.maxAttempts + 2,
    retryDelay: options.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: Math.ceil(options.timeoutMs / 1000) * 2 + 30,
  };
  await ensureQueue(boss, { name: WEBHOOK_QUEUE, ...retry });
  const inFlight = new Map<string, number>();
  let worker: QueueWorker | undefined;
  let timers: NodeJS.Timeout[] = [];
  let stopListening: (() => void) | undefined;
  let relaying: Promise<number> | undefined;

  const enqueue = (tx: Tx, job: WebhookJob) => boss.send(WEBHOOK_QUEUE, job, { ...retry, db: transactionSql(tx) });

  /** Queues the next delivery of each stream given (or of all streams), in one transaction. */
  async function queueHeads(tx: Tx, stream?: { platformId: string; applicationId: string }): Promise<number> {
    const heads = await repo.unqueuedHeads(tx, stream ? 1 : RELAY_BATCH, stream);
    for (const h of heads) await enqueue(tx, { deliveryId: h.id });
    await repo.markQueued(
      tx,
      heads.map((h) => h.id),
      clock(),
    );
    return heads.length;
  }

  async function relay(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await db.transaction((tx) => queueHeads(tx));
      total += n;
      if (n < RELAY_BATCH) break;
    }
    if (total > 0) worker?.wake();
    return total;
  }
  const relayOnce = () => (relaying ??= relay().finally(() => (relaying = undefined)));

  async function signingSecret(platformId: string): Promise<{ keyId: string; secret: string } | undefined> {
    const now = clock();
    for (const key of await repo.keysOf(db, [platformId])) {
      if (key.revokedAt || (key.expiresAt && key.expiresAt <= now)) continue;
      const secret = secretOf(deps.keyRoot, key);
      if (secret) return { keyId: key.keyId, secret };
    }
    return undefined;
  }

  async function post(url: string, body: string, headers: Record<string, string>): Promise<{ statusCode: number | null; error: string | null }> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'CertDesk-Webhook/1', ...headers },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await res.body?.cancel().catch(() => undefined);
      return { statusCode: res.status, error: delivered(res.status) ? null : `平台应答 HTTP ${res.status}` };
    } catch (err) {
      return { statusCode: null, error: describe(err, options.timeoutMs) };
    }
  }

  async function deliver(job: { data: WebhookJob }): Promise<void> {
    const { deliveryId, resend } = jobSchema.parse(job.data);
    const found = await repo.deliveryToSend(db, deliveryId);
    if (!found || found.delivery.status !== 'pending') return;
    const { delivery, event, platform } = found;
    const open = inFlight.get(platform.id) ?? 0;
    if (open >= PER_PLATFORM_IN_FLIGHT) {
      // Its slots are taken by its own slow answers: this job steps aside (about as long as a slot
      // can stay taken) instead of waiting in one of ours.
      await boss.send(WEBHOOK_QUEUE, job.data, { ...retry, startAfter: Math.max(2, Math.ceil(options.timeoutMs / 1000)) });
      return;
    }
    inFlight.set(platform.id, open + 1);
    const attempt = delivery.attempts + 1;
    const started = Date.now();
    let outcome: { statusCode: number | null; error: string | null };
    try {
      const key = platform.webhookUrl ? await signingSecret(platform.id) : undefined;
      if (!platform.webhookUrl) outcome = { statusCode: null, error: '平台未设置接收地址' };
      else if (!key) outcome = { statusCode: null, error: '平台没有可用的 API 密钥，无法签名' };
      else {
        const body = webhookBody(event);
        const timestamp = Math.floor(clock().getTime() / 1000);
        outcome = await post(platform.webhookUrl, body, {
          'x-certdesk-event-id': event.id,
          'x-certdesk-event-type': event.type,
          'x-certdesk-key-id': key.keyId,
          'x-certdesk-signature': webhookSignature(key.secret, timestamp, body),
        });
      }
    } finally {
      inFlight.set(platform.id, (inFlight.get(platform.id) ?? 1) - 1);
    }
    const ok = delivered(outcome.statusCode ?? undefined);
    const settled = ok || attempt >= options.maxAttempts;
    await db.transaction(async (tx) => {
      await repo.recordAttempt(tx, {
        deliveryId,
        at: clock(),
        attempt,
        trigger: resend ? 'resend' : 'auto',
        statusCode: outcome.statusCode,
        error: outcome.error,
        durationMs: Date.now() - started,
        outcome: ok ? 'delivered' : settled ? 'failed' : 'retry',
      });
      if (settled) await queueHeads(tx, { platformId: platform.id, applicationId: delivery.applicationId });
    });
    if (settled) worker?.wake();
    if (!ok && settled) log.warn({ deliveryId, platformId: platform.id, attempts: attempt }, 'webhook given up');
    if (!settled) throw new Error(`webhook attempt ${attempt} failed: ${outcome.error ?? outcome.statusCode}`);
  }

  return {
    async resend(tx, deliveryId) {
      await enqueue(tx, { deliveryId, resend: true });
    },
    relayNow: relayOnce,
    start() {
      if (worker) throw new Error('webhook delivery already started');
      worker = startWorker<WebhookJob>(
        boss,
        WEBHOOK_QUEUE,
        { concurrency: options.concurrency, pollingIntervalMs: POLLING_INTERVAL_MS, onError: deps.onCompletionError },
        deliver,
      );
      const guard = (what: string, run: () => Promise<unknown>) => {
        const failures = createOutageLog(log, what);
        return () => void run().then(() => failures.recovered(), (err: unknown) => failures.failed(err, 'schedule'));
      };
      const relayGuarded = guard('webhook relay failed', relayOnce);
      // An event recorded here (or by another instance) is relayed once its transaction commits;
      // the poll catches what a lost channel missed.
      stopListening = deps.changes.onCommitted('webhook_deliveries', 'insert', relayGuarded);
      timers = [
        setInterval(relayGuarded, POLLING_INTERVAL_MS),
        setInterval(
          guard('platform maintenance failed', async () => {
            await repo.pruneNonces(db, clock());
            if ((await repo.unqueueStale(db, STALE_MS / 1000)) > 0) await relayOnce();
          }),
          MAINTENANCE_MS,
        ),
      ];
      for (const t of timers) t.unref();
    },
    async stop() {
      stopListening?.();
      stopListening = undefined;
      for (const t of timers) clearInterval(t);
      timers = [];
      await relaying?.catch(() => undefined);
      await worker?.stop();
      worker = undefined;
    },
  };
}
