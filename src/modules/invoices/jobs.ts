/**
 * The invoice jobs on the shared queue: `invoice-issue` talks to the e-invoice platform (submit,
 * then ask for the result), `invoice-mail` sends an issued invoice. Both are queued on the
 * transaction of the change that needs them, and found by any instance's worker.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { transactionSql } from '../../db/connection-sql.ts';
import { ensureQueue, type JobQueue } from '../../jobs/queue.ts';
import { startWorker, type QueueWorker } from '../../jobs/worker.ts';
import { TryAgainLater, type InvoiceJobs, type InvoicesService } from './service.ts';

export const INVOICE_ISSUE_QUEUE = 'invoice-issue';
export const INVOICE_MAIL_QUEUE = 'invoice-mail';

const issueJob = z.object({ invoiceId: z.string() });
const mailJob = z.object({ mailId: z.string() });

export interface InvoiceJobOptions {
  /** First retry after this many seconds, doubling (pg-boss's backoff); tests shorten it. */
  retryDelaySeconds: number;
}

export async function createInvoiceJobs(boss: JobQueue, options: InvoiceJobOptions): Promise<InvoiceJobs> {
  for (const name of [INVOICE_ISSUE_QUEUE, INVOICE_MAIL_QUEUE]) {
    await ensureQueue(boss, { name, retryLimit: 12, retryDelay: options.retryDelaySeconds, retryBackoff: true, expireInSeconds: 120 });
  }
  return {
    async issue(tx, invoiceId, o) {
      await boss.send(INVOICE_ISSUE_QUEUE, { invoiceId }, { db: transactionSql(tx), ...(o?.startAfterSeconds ? { startAfter: o.startAfterSeconds } : {}) });
    },
    async mail(tx, mailId) {
      await boss.send(INVOICE_MAIL_QUEUE, { mailId }, { db: transactionSql(tx) });
    },
  };
}

/** The workers: a job that must wait (the platform is still issuing) is asked again later, not failed. */
export function startInvoiceWorkers(boss: JobQueue, invoices: InvoicesService, log: Logger, onError: (err: unknown) => void): QueueWorker[] {
  const common = { concurrency: 4, pollingIntervalMs: 1000, onError };
  const issue = startWorker<unknown>(boss, INVOICE_ISSUE_QUEUE, common, async (job) => {
    const { invoiceId } = issueJob.parse(job.data);
    try {
      await invoices.process(invoiceId);
    } catch (err) {
      if (!(err instanceof TryAgainLater)) {
        log.warn({ invoiceId, err: String(err) }, 'invoice job failed, will retry');
        throw err;
      }
      await boss.send(INVOICE_ISSUE_QUEUE, { invoiceId }, { startAfter: err.seconds });
    }
  });
  const mail = startWorker<unknown>(boss, INVOICE_MAIL_QUEUE, common, async (job) => {
    const { mailId } = mailJob.parse(job.data);
    try {
      await invoices.deliverMail(mailId);
    } catch (err) {
      log.warn({ mailId, err: String(err) }, 'invoice mail failed, will retry');
      throw err;
    }
  });
  return [issue, mail];
}
