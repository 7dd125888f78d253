/**
 * notifications: every SMS leaves through the job queue, so a slow or failing gateway never fails
 * the request that caused it, and a failed send is retried. Payloads are sealed: the job table
 * never holds a readable code.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { ensureQueue, type JobQueue } from '../../jobs/queue.ts';
import { maskPhone } from '../../domain/phone.ts';
import { seal, unseal } from '../../security/keys.ts';
import { asc } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.ts';
import { transactionSql } from '../../db/connection-sql.ts';
import { smsTemplates as smsTemplatesTable } from '../../db/schema.ts';
import { SmsGatewayError, smsTemplates, type SmsMessage, type SmsProvider, type SmsTemplate } from '../../providers/sms/types.ts';

export const SMS_QUEUE = 'sms-send';

const smsMessageSchema = z.object({
  phone: z.string(),
  template: z.enum(smsTemplates),
  params: z.record(z.string(), z.string()),
});
const jobSchema = z.object({ sealed: z.string() });

export interface SmsSender {
  /**
   * Queues a message. With `tx`, on that transaction's connection: the SMS leaves only if the
   * change that caused it commits, and a process killed after the commit loses none.
   */
  enqueue(message: SmsMessage, tx?: Tx): Promise<void>;
}

export async function createSmsSender(boss: JobQueue, sealKey: Buffer): Promise<SmsSender> {
  await ensureQueue(boss, {
    name: SMS_QUEUE,
    retryLimit: 5,
    retryDelay: 2,
    retryBackoff: true,
    expireInSeconds: 60,
  });
  return {
    async enqueue(message, tx) {
      await boss.send(SMS_QUEUE, { sealed: seal(sealKey, message) }, tx ? { db: transactionSql(tx) } : {});
    },
  };
}

export async function startSmsWorker(
  boss: JobQueue,
  sealKey: Buffer,
  provider: SmsProvider,
  log: Logger,
): Promise<void> {
  // One job per fetch: a failure must not resend messages that already went out in the same batch.
  await boss.work(SMS_QUEUE, { pollingIntervalSeconds: 0.5 }, async (jobs) => {
    for (const job of jobs) {
      const message = smsMessageSchema.parse(unseal(sealKey, jobSchema.parse(job.data).sealed));
      const who = maskPhone(message.phone);
      try {
        const { receiptId } = await provider.send(message);
        log.info({ phone: who, template: message.template, receiptId }, 'sms sent');
      } catch (err) {
        if (err instanceof SmsGatewayError && !err.retryable) {
          // Retrying a permanent refusal (bad number, bad template) only burns gateway quota.
          log.warn({ phone: who, template: message.template, gatewayCode: err.gatewayCode }, 'sms refused');
          continue;
        }
        log.warn({ phone: who, template: message.template, err: String(err) }, 'sms send failed, will retry');
        throw err;
      }
    }
  });
}

/** The newest text of each template, keyed by the gateway's TemplateCode (for the simulator). */
export async function smsTemplateTexts(db: Db, codes: Record<SmsTemplate, string>): Promise<Record<string, string>> {
  const rows = await db.select().from(smsTemplatesTable).orderBy(asc(smsTemplatesTable.version));
  const texts: Record<string, string> = {};
  for (const row of rows) {
    const gatewayCode = codes[row.code as SmsTemplate];
    if (gatewayCode) texts[gatewayCode] = row.body; // later versions overwrite earlier ones
  }
  return texts;
}
