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
 * enqueueing a job for it, or by slots freeing up after a fetch that filled every slot (more may
 * be waiting). Jobs other instances enqueue are found by polling. Under load it fetches once half
 * the slots are free, and marks the jobs handled since its last turn completed in one query.
 */
import type PgBoss from 'pg-boss';
import type { JobQueue } from './queue.ts';

/**
 * How long an enqueue's wake-up waits for others: in a burst of 获取验证码 (one enqueue every few
 * milliseconds) each would otherwise start a fetch for the one job it made; after this, one fetch
 * takes all that came meanwhile. Small beside the second a person waits for a code.
 */
const WAKE_COALESCE_MS = 10;

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
  // Under load, fetch when half the slots are free rather than each time one is: a fetch is the
  // queue's dearest query, and on the embedded database every query waits for all the others.
  const refillAt = Math.ceil(options.concurrency / 2);
  const inHand = new Set<Promise<void>>();
  /** Handled, to be marked completed together at the loop's next turn (one query for all). */
  let handled: string[] = [];
  let stopping = false;
  /** Something happened that the loop should look at before sleeping. */
  let woken = false;
  /** A fetch is due: at start, at each poll, at an enqueue, and while the last fetch filled every slot. */
  let fetchDue = true;
  /** The polling interval passed since the loop's last turn. */
  let polled = false;
  let interrupt: (() => void) | undefined;

  function wake(): void {
    woken = true;
    interrupt?.();
  }

  async function writeCompletions(): Promise<void> {
    if (handled.length === 0) return;
    const ids = handled;
    handled = [];
    // pg-boss completes only jobs still active: one that expired meanwhile is left to its retry.
    await boss.complete(queue, ids).catch(options.onError);
  }

  async function settle(job: PgBoss.Job<T>): Promise<void> {
    try {
      await handle(job);
    } catch (err) {
      await boss.fail(queue, job.id, { message: err instanceof Error ? err.message : String(err) }).catch(options.onError);
      return;
    }
    handled.push(job.id);
  }

  function run(job: PgBoss.Job<T>): void {
    const settled: Promise<void> = settle(job).finally(() => {
      inHand.delete(settled);
      if (wakeUps) wake();
    });
    inHand.add(settled);
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (timedOut: boolean) => {
        clearTimeout(timer);
        interrupt = undefined;
        if (timedOut) {
          fetchDue = true;
          polled = true;
        }
        resolve();
      };
      const timer = setTimeout(() => done(true), ms);
      interrupt = () => done(false);
    });
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      woken = false;
      const room = options.concurrency - inHand.size;
      // With half the slots still busy, completions wait for the others (or the next poll).
      if (room >= refillAt || polled) await writeCompletions();
      polled = false;
      if (fetchDue && room >= refillAt) {
        // pg-boss's fetch answers [] when the database is out of reach: the queue simply pauses.
        const jobs = await boss.fetch<T>(queue, { batchSize: room }).catch((err: unknown) => {
          options.onError(err);
          return [];
        });
        fetchDue = jobs.length === room;
        for (const job of jobs) run(job);
      }
      if (!woken && !stopping) await pause(options.pollingIntervalMs);
    }
  }

  // The loop catches what it awaits; this only keeps a bug in it from being an unhandled rejection.
  const looping = loop().catch(options.onError);
  /** An enqueue's wake-up, held back a moment so that a burst of enqueues is one fetch, not one each. */
  let coalescing: NodeJS.Timeout | undefined;
  return {
    wake() {
      if (!wakeUps || coalescing) return;
      coalescing = setTimeout(() => {
        coalescing = undefined;
        fetchDue = true;
        wake();
      }, WAKE_COALESCE_MS);
    },
    async stop() {
      stopping = true;
      clearTimeout(coalescing);
      interrupt?.();
      await looping;
      await Promise.allSettled([...inHand]);
      await writeCompletions();
    },
  };
}
