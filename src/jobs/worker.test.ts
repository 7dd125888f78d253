/**
 * The queue worker against real pg-boss tables (in-memory PGlite): bounded concurrency, each job
 * settled on its own, a wake-up fetching at once.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database.ts';
import { ensureQueue, startJobQueue, type JobQueue } from './queue.ts';
import { startWorker } from './worker.ts';

let database: Database;
let boss: JobQueue;
const HOUR_MS = 3_600_000;

beforeAll(async () => {
  database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  boss = await startJobQueue(database, pino({ level: 'silent' }));
});

afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await database?.close();
});

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

const noErrors = (err: unknown) => {
  throw err;
};

describe('startWorker', () => {
  it('runs at most `concurrency` jobs at once, all of them, and marks each completed', async () => {
    const queue = 'worker-test-concurrency';
    await ensureQueue(boss, { name: queue });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await boss.send(queue, { i }))!);
    let running = 0;
    let most = 0;
    const done: number[] = [];
    const worker = startWorker<{ i: number }>(boss, queue, { concurrency: 3, pollingIntervalMs: 50, onError: noErrors }, async (job) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      done.push(job.data.i);
    });
    await until(() => done.length === 12, 'twelve jobs handled');
    await worker.stop();
    expect(most).toBe(3);
    expect([...done].sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    const states = await Promise.all(ids.map(async (id) => (await boss.getJobById(queue, id))?.state));
    expect(states).toEqual(ids.map(() => 'completed'));
  });

  it('retries a failed job alone, never its batch mates', async () => {
    const queue = 'worker-test-retry';
    await ensureQueue(boss, { name: queue, retryLimit: 2, retryDelay: 0 });
    for (const name of ['a', 'b', 'c', 'd']) await boss.send(queue, { name });
    const calls: string[] = [];
    const worker = startWorker<{ name: string }>(boss, queue, { concurrency: 4, pollingIntervalMs: 50, onError: noErrors }, async (job) => {
      calls.push(job.data.name);
      if (job.data.name === 'c' && calls.filter((n) => n === 'c').length === 1) throw new Error('gateway timeout');
    });
    await until(() => calls.filter((n) => n === 'c').length === 2, 'c retried');
    await until(async () => (await boss.getQueueSize(queue)) === 0, 'queue drained');
    await worker.stop();
    expect([...calls].sort()).toEqual(['a', 'b', 'c', 'c', 'd']);
  });

  it('fetches at once when woken, without waiting for the next poll', async () => {
    const queue = 'worker-test-wake';
    await ensureQueue(boss, { name: queue });
    await boss.send(queue, { n: 'first' });
    const handled: string[] = [];
    const worker = startWorker<{ n: string }>(boss, queue, { concurrency: 2, pollingIntervalMs: HOUR_MS, onError: noErrors }, async (job) => {
      handled.push(job.data.n);
    });
    // The fetch at start takes the first job; from then on only a wake-up starts one within the hour.
    await until(() => handled.includes('first'), 'first job handled');
    await boss.send(queue, { n: 'woken' });
    worker.wake();
    await until(() => handled.includes('woken'), 'job handled after wake()');
    await worker.stop();
  });

  it('stop waits for the jobs in hand', async () => {
    const queue = 'worker-test-stop';
    await ensureQueue(boss, { name: queue });
    await boss.send(queue, {});
    let started = false;
    let finished = false;
    const worker = startWorker(boss, queue, { concurrency: 1, pollingIntervalMs: 50, onError: noErrors }, async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 300));
      finished = true;
    });
    await until(() => started, 'job started');
    await worker.stop();
    expect(finished).toBe(true);
  });
});
