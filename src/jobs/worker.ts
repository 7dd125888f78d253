/**
 * A queue's worker: fetches jobs in batches, runs up to `concurrency` of them at once and settles
 * each job on its own — completed when its handler resolves, failed (so pg-boss retries it with
 * the queue's backoff) when it throws — so that one job's failure never repeats another's work.
 *
 * Not pg-boss's `work()`, for two reasons read in its source (10.4, src/manager.js `watch`): it
 * completes or fails the whole batch with promises nobody awaits, so a database that goes away
 * between a handler and its completion rejects one of them unhandled, and that ends the process;
 * and its loop waits for the whole batch before it fetches again, so one slow message holds up
 * the next. Jobs, retries, expiry and the tables stay pg-boss's; only the loop is ours.
 *
 * The loop fetches when the polling interval has passed, or at once when woken: by the process
 * enqueueing a job for it, or by a slot freeing up after a fetch that filled every slot (more may
 * be waiting). Jobs other instances enqueue are found by polling.
 */
import type PgBoss from 'pg-boss';
import type { JobQueue } from './queue.ts';

export interface WorkerOptions {
  /** Jobs handled at once; also the most fetched at a time. */
  concurrency: number;
  pollingIntervalMs: number;
  /**
   * false: only the polling interval starts a fetch, as pg-boss's own worker without
   * notifyWorker. Benchmarks use it, with concurrency 1, as the baseline.
   */
  wakeUps?: boolean;
  /** A completion or failure could not be written (the database went away): the job stays active until it expires, then pg-boss retries it. */
  onError(err: unknown): void;
}

export interface QueueWorker {
  /** Fetch now instead of at the next poll. */
  wake(): void;
  /** Stops fetching and waits for the jobs in hand. */
  stop(): Promise<void>;
}

export function startWorker<T>(
  boss: JobQueue,
  queue: string,
  options: WorkerOptions,
  handle: (job: PgBoss.Job<T>) => Promise<void>,
): QueueWorker {
  const wakeUps = options.wakeUps ?? true;
  const inHand = new Set<Promise<void>>();
  let stopping = false;
  let woken = false;
  /** Work may be waiting that the last fetch could not take: it filled every slot, or there was none free. */
  let moreWaiting = false;
  let interrupt: (() => void) | undefined;

  function wake(): void {
    woken = true;
    interrupt?.();
  }

  async function settle(job: PgBoss.Job<T>): Promise<void> {
    let failure: { message: string } | undefined;
    try {
      await handle(job);
    } catch (err) {
      failure = { message: err instanceof Error ? err.message : String(err) };
    }
    try {
      if (failure) await boss.fail(queue, job.id, failure);
      else await boss.complete(queue, job.id);
    } catch (err) {
      options.onError(err);
    }
  }

  function run(job: PgBoss.Job<T>): void {
    const settled: Promise<void> = settle(job).finally(() => {
      inHand.delete(settled);
      if (moreWaiting && wakeUps) wake();
    });
    inHand.add(settled);
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        interrupt = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      interrupt = done;
    });
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      woken = false;
      const room = options.concurrency - inHand.size;
      if (room > 0) {
        // pg-boss's fetch answers [] when the database is out of reach: the queue simply pauses.
        const jobs = await boss.fetch<T>(queue, { batchSize: room }).catch((err: unknown) => {
          options.onError(err);
          return [];
        });
        moreWaiting = jobs.length === room;
        for (const job of jobs) run(job);
      } else {
        moreWaiting = true;
      }
      if (!woken && !stopping) await pause(options.pollingIntervalMs);
    }
  }

  // The loop catches what it awaits; this only keeps a bug in it from being an unhandled rejection.
  const looping = loop().catch(options.onError);
  return {
    wake() {
      if (wakeUps) wake();
    },
    async stop() {
      stopping = true;
      interrupt?.();
      await looping;
      await Promise.allSettled([...inHand]);
    },
  };
}
