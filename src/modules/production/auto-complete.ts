/**
 * The hourly job that completes 已邮寄 / 待自取 orders nobody confirmed within AUTO_COMPLETE_DAYS.
 * pg-boss keeps the schedule in the database and sends one job per run whatever the number of app
 * instances; the work itself is idempotent (ProductionService.autoComplete), so a retried or
 * doubled job completes nothing twice. The time is the app's clock, not the job's.
 */
import type { Logger } from 'pino';
import { ensureQueue, type JobQueue } from '../../jobs/queue.ts';
import { startWorker, type QueueWorker } from '../../jobs/worker.ts';
import type { ProductionService } from './service.ts';

export const AUTO_COMPLETE_QUEUE = 'production-auto-complete';
/** Every hour, at minute 7 (off the hour, when other schedules crowd). */
export const AUTO_COMPLETE_CRON = '7 * * * *';

export async function scheduleAutoComplete(
  boss: JobQueue,
  production: ProductionService,
  log: Logger,
  onCompletionError: (err: unknown) => void,
): Promise<QueueWorker> {
  await ensureQueue(boss, { name: AUTO_COMPLETE_QUEUE, retryLimit: 3, retryDelay: 60, expireInSeconds: 15 * 60 });
  await boss.schedule(AUTO_COMPLETE_QUEUE, AUTO_COMPLETE_CRON, {}, { tz: 'Asia/Shanghai' });
  return startWorker(boss, AUTO_COMPLETE_QUEUE, { concurrency: 1, pollingIntervalMs: 30_000, onError: onCompletionError }, async () => {
    const completed = await production.autoComplete();
    log.debug({ completed }, 'auto-complete run');
  });
}
