/**
 * The invoice jobs on the shared queue: `invoice-issue` talks to the e-invoice platform (submit,
 * then ask for the result), `invoice-mail` sends an issued invoice. Both are queued on the
 * transaction of the change that needs them, and found by any instance's worker.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { afterCommit, transactionSql } from '../../db/connection-sql.ts';
import { ensureQueue, type JobQueue } from '../../jobs/queue.ts';
import { startWorker, type QueueWorker } from '../../jobs/worker.ts';
import { TryAgainLater, type InvoiceJobs, type InvoicesService } from './service.ts';

export const INVOICE_ISSUE_QUEUE = 'invoice-issue';
export const INVOICE_MAIL_QUEUE = 'invoice-mail';
/** The database's clock and this process's may differ by a little: wake just after the job is due. */
const DUE_MARGIN_MS = 50;

/**
 * The queues' names. With the real platform every instance works every invoice (they share the
 * database, the blob store and 诺诺). The loopback simulator, though, keeps what it issued in the
 * memory of the process that serves it, and a test app's files live in its own directory: there an
 * invoice's jobs stay with the instance that asked for it (`scope`), as another instance's
 * simulator would not know the invoice and its blob store would not have the PDF.
 */
export function invoiceQueues(scope?: string): { issue: string; mail: string } {
  const suffix = scope ? `-${scope}` : '';
  return { issue: `${INVOICE_ISSUE_QUEUE}${suffix}`, mail: `${INVOICE_MAIL_QUEUE}${suffix}` };
}

const issueJob = z.object({ invoiceId: z.string() });
const mailJob = z.object({ mailId: z.string() });

export interface InvoiceJobOptions {
  /** First retry after this many seconds, doubling (pg-boss's backoff); tests shorten it. */
  retryDelaySeconds: number;
  /** See invoiceQueues. */
  queues: { issue: string; mail: string };
}

/** The jobs as the services queue them, on these queues, and this process's workers for them (set when they start). */
export interface InvoiceQueue extends InvoiceJobs {
  readonly queues: { issue: string; mail: string };
  /** Woken once a transaction that queued a job for them commits, instead of at their next poll. */
  readonly local: { issue?: QueueWorker; mail?: QueueWorker };
}

export async function createInvoiceJobs(boss: JobQueue, options: InvoiceJobOptions): Promise<InvoiceQueue> {
  const { issue, mail } = options.queues;
  for (const name of [issue, mail]) {
    await ensureQueue(boss, { name, retryLimit: 12, retryDelay: options.retryDelaySeconds, retryBackoff: true, expireInSeconds: 120 });
  }
  const local: InvoiceQueue['local'] = {};
  return {
    queues: options.queues,
    local,
    async issue(tx, invoiceId, o) {
      await boss.send(issue, { invoiceId }, { db: transactionSql(tx), ...(o?.startAfterSeconds ? { startAfter: o.startAfterSeconds } : {}) });
      if (!o?.startAfterSeconds) afterCommit(tx, () => local.issue?.wake());
    },
    async mail(tx, mailId) {
      await boss.send(mail, { mailId }, { db: transactionSql(tx) });
      afterCommit(tx, () => local.mail?.wake());
    },
  };
}

/** The workers: a job that must wait (the platform is still issuing) is asked again later, not failed. */
export function startInvoiceWorkers(boss: JobQueue, jobs: InvoiceQueue, invoices: InvoicesService, log: Logger, onError: (err: unknown) => void): QueueWorker[] {
  const { queues } = jobs;
  const common = { concurrency: 4, pollingIntervalMs: 1000, onError };
  /** Asks queued for later wake this process's worker when they fall due, not at the poll after. */
  const dueTimers = new Set<NodeJS.Timeout>();
  const wakeAt = (seconds: number) => {
    const timer = setTimeout(() => {
      dueTimers.delete(timer);
      issue.wake();
    }, seconds * 1000 + DUE_MARGIN_MS);
    timer.unref();
    dueTimers.add(timer);
  };
  const mail = startWorker<unknown>(boss, queues.mail, common, async (job) => {
    const { mailId } = mailJob.parse(job.data);
    try {
      await invoices.deliverMail(mailId);
    } catch (err) {
      log.warn({ mailId, err: String(err) }, 'invoice mail failed, will retry');
      throw err;
    }
  });
  const issue = startWorker<unknown>(boss, queues.issue, common, async (job) => {
    const { invoiceId } = issueJob.parse(job.data);
    try {
      // An invoice issued now queues its mail in that transaction, which wakes the mail worker.
      await invoices.process(invoiceId);
    } catch (err) {
      if (!(err instanceof TryAgainLater)) {
        log.warn({ invoiceId, err: String(err) }, 'invoice job failed, will retry');
        throw err;
      }
      await boss.send(queues.issue, { invoiceId }, { startAfter: err.seconds });
      wakeAt(err.seconds);
    }
  });
  const issueWorker: QueueWorker = {
    wake: () => issue.wake(),
    async stop() {
      for (const timer of dueTimers) clearTimeout(timer);
      dueTimers.clear();
      await issue.stop();
    },
  };
  // A stopped worker's wake does nothing: these need no clearing at stop.
  Object.assign(jobs.local, { issue: issueWorker, mail });
  return [issueWorker, mail];
}
