/**
 * notifications: every SMS leaves through the job queue, so a slow or failing gateway never fails
 * the request that caused it, and a failed send is retried. Payloads are sealed: the job table
 * never holds a readable code.
 *
 * Login codes have a queue and a worker of their own: a backlog of notices (审核通过, 已邮寄 …) never
 * stands in front of a code someone is waiting for. Each worker hands up to `concurrency` messages
 * to the gateway at once and settles each job on its own (src/jobs/worker.ts), so a failed message
 * is retried alone and never resends the others. Enqueueing wakes this process's worker, so a code
 * leaves at once instead of at the next poll; polling finds what other instances enqueued.
 */
import type { Logger } from 'pino';
import type PgBoss from 'pg-boss';
import { z } from 'zod';
import { ensureQueue, type JobQueue } from '../../jobs/queue.ts';
import { startWorker, type QueueWorker } from '../../jobs/worker.ts';
import { maskPhone } from '../../domain/phone.ts';
import { seal, unseal } from '../../security/keys.ts';
import { asc, getTableName } from 'drizzle-orm';
import type { ChangeFeed } from '../../db/change-feed.ts';
import type { Db, Tx } from '../../db/database.ts';
import { afterCommit, transactionSql } from '../../db/connection-sql.ts';
import { smsTemplates as smsTemplatesTable } from '../../db/schema.ts';
import { SmsGatewayError, smsTemplates, type SmsMessage, type SmsProvider, type SmsTemplate } from '../../providers/sms/types.ts';

/** 获取验证码's codes (login, and 解锁's confirmation): a person waits for each. */
export const SMS_LOGIN_CODE_QUEUE = 'sms-login-code';
/** Every other SMS (and login codes queued before they had their own queue). */
export const SMS_QUEUE = 'sms-send';
const SMS_QUEUES = [SMS_LOGIN_CODE_QUEUE, SMS_QUEUE] as const;

/** How often a worker looks for jobs other instances enqueued. */
const POLLING_INTERVAL_MS = 500;

const smsMessageSchema = z.object({
  phone: z.string(),
  template: z.enum(smsTemplates),
  params: z.record(z.string(), z.string()),
});
const jobSchema = z.object({ sealed: z.string() });
type SmsJob = z.infer<typeof jobSchema>;

export interface SmsSender {
  /**
   * Queues a message. With `tx`, on that transaction's connection: the SMS leaves only if the
   * change that caused it commits, and a process killed after the commit loses none. Either way
   * this process's worker looks for it once it is there (committed), not at its next poll.
   */
  enqueue(message: SmsMessage, tx?: Tx): Promise<void>;
}

export interface SmsWorkerOptions {
  /** Messages handed to the gateway at once, per queue (SMS_SEND_CONCURRENCY). */
  concurrency: number;
  /** false: no wake-up at enqueue, polling only (the benchmark's baseline). */
  wakeUps?: boolean;
}

/** The sender, and the workers that deliver what it queues. */
export interface SmsDelivery extends SmsSender {
  /** Starts one worker per queue; called once the gateway's address is known. */
  start(provider: SmsProvider, options: SmsWorkerOptions): void;
  /** Stops fetching and waits for the messages in hand. */
  stop(): Promise<void>;
  readonly started: boolean;
}

export function smsQueueOf(message: SmsMessage): string {
  return message.template === 'login_code' || message.template === 'unlock_code' || message.template === 'loss_report_code' ? SMS_LOGIN_CODE_QUEUE : SMS_QUEUE;
}

export async function createSmsDelivery(
  boss: JobQueue,
  sealKey: Buffer,
  log: Logger,
  onCompletionError: (err: unknown) => void,
): Promise<SmsDelivery> {
  for (const name of SMS_QUEUES) {
    await ensureQueue(boss, { name, retryLimit: 5, retryDelay: 2, retryBackoff: true, expireInSeconds: 60 });
  }
  const workers = new Map<string, QueueWorker>();

  async function deliver(provider: SmsProvider, job: PgBoss.Job<SmsJob>): Promise<void> {
    const message = smsMessageSchema.parse(unseal(sealKey, jobSchema.parse(job.data).sealed));
    const who = maskPhone(message.phone);
    try {
      const { receiptId } = await provider.send(message);
      log.info({ phone: who, template: message.template, receiptId }, 'sms sent');
    } catch (err) {
      if (err instanceof SmsGatewayError && !err.retryable) {
        // Retrying a permanent refusal (bad number, bad template) only burns gateway quota.
        log.warn({ phone: who, template: message.template, gatewayCode: err.gatewayCode }, 'sms refused');
        return;
      }
      log.warn({ phone: who, template: message.template, err: String(err) }, 'sms send failed, will retry');
      throw err;
    }
  }

  return {
    async enqueue(message, tx) {
      const queue = smsQueueOf(message);
      const job = { sealed: seal(sealKey, message) } satisfies SmsJob;
      if (tx) {
        // Commits or rolls back with the change it reports, and leaves as soon as it is committed.
        await boss.send(queue, job, { db: transactionSql(tx) });
        afterCommit(tx, () => workers.get(queue)?.wake());
        return;
      }
      await boss.send(queue, job);
      // Visible now: a login code leaves at once, whatever the poll's rhythm.
      workers.get(queue)?.wake();
    },
    start(provider, options) {
      if (workers.size > 0) throw new Error('SMS workers already started');
      for (const name of SMS_QUEUES) {
        const worker = startWorker<SmsJob>(
          boss,
          name,
          { concurrency: options.concurrency, wakeUps: options.wakeUps, pollingIntervalMs: POLLING_INTERVAL_MS, onError: onCompletionError },
          (job) => deliver(provider, job),
        );
        workers.set(name, worker);
      }
    },
    async stop() {
      await Promise.all([...workers.values()].map((w) => w.stop()));
      workers.clear();
    },
    get started() {
      return workers.size > 0;
    },
  };
}

const textsCache = new WeakMap<Db, { readAt: number; texts: Promise<Record<string, string>> }>();

/**
 * The newest text of each template, keyed by the gateway's TemplateCode (for the simulator, which
 * asks for them with every message it takes — hundreds a second in a burst). Read once, and again
 * only after a new version was committed: here, or (on PostgreSQL) by another instance, or while
 * the change feed cannot vouch for that (change-feed.ts).
 */
export function smsTemplateTexts(db: Db, changes: ChangeFeed, codes: Record<SmsTemplate, string>): Promise<Record<string, string>> {
  const cached = textsCache.get(db);
  if (cached && !changes.changedSince(cached.readAt, [getTableName(smsTemplatesTable)])) return cached.texts;
  const readAt = changes.position();
  const texts = readTemplateTexts(db, codes);
  textsCache.set(db, { readAt, texts });
  // A failed read is not kept: the next message reads again.
  texts.catch(() => textsCache.get(db)?.texts === texts && textsCache.delete(db));
  return texts;
}

async function readTemplateTexts(db: Db, codes: Record<SmsTemplate, string>): Promise<Record<string, string>> {
  const rows = await db.select().from(smsTemplatesTable).orderBy(asc(smsTemplatesTable.version));
  const texts: Record<string, string> = {};
  for (const row of rows) {
    const gatewayCode = codes[row.code as SmsTemplate];
    if (gatewayCode) texts[gatewayCode] = row.body; // later versions overwrite earlier ones
  }
  return texts;
}
