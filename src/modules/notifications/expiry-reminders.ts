/**
 * 到期提醒: the SMS a holder gets at each threshold before a unit signing certificate ends
 * (RENEWAL_REMINDER_DAYS, 90/30/7/0), and the queue job that sends them.
 *
 * Exactly one per certificate and threshold, whatever the number of instances, restarts or late
 * runs: the reminder is claimed by inserting its renewal_reminders row (unique per certificate and
 * threshold) in the transaction that queues the SMS and writes the audit record, and sent only
 * when this transaction inserted it. A run that comes late sends only the smallest threshold
 * reached (domain/renewal.ts reminderDue). None once the certificate is renewed, revoked or being
 * renewed, and none after its day of expiry. The time is the app's clock, not the job's.
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/database.ts';
import type { SystemActor } from '../../domain/application.ts';
import { daysLeft, reminderDue } from '../../domain/renewal.ts';
import { ensureQueue, type JobQueue } from '../../jobs/queue.ts';
import { startWorker, type QueueWorker } from '../../jobs/worker.ts';
import { chineseDate } from '../../pdf/dates.ts';
import { appendAudit } from '../audit/chain.ts';
import { recordPlatformEvent } from '../platforms/outbox.ts';
import type { ApplicantNotices } from './notices.ts';
import * as repo from './reminders-repository.ts';

export const EXPIRY_REMINDER_QUEUE = 'certificate-expiry-reminders';
/** Hourly from 08:17 to 21:17 (Asia/Shanghai): a threshold passed at night is told in the morning, not at 3 a.m. */
export const EXPIRY_REMINDER_CRON = '17 8-21 * * *';
export const EXPIRY_REMINDER_ACTOR = { kind: 'system', id: 'expiry-reminder' } as const satisfies SystemActor;

const PAGE = 500;

export interface ExpiryRemindersDeps {
  db: Db;
  clock: () => Date;
  log: Logger;
  notices: ApplicantNotices;
  /** RENEWAL_REMINDER_DAYS. */
  thresholds: readonly number[];
}

export type ExpiryReminders = ReturnType<typeof createExpiryReminders>;

export function createExpiryReminders(deps: ExpiryRemindersDeps) {
  const { db, log, notices, thresholds } = deps;
  const horizonDays = Math.max(...thresholds);

  /** Re-reads the certificate under its lock and sends what is still owed; false when nothing was. */
  async function remindOne(scope: repo.CandidateScope, serialHex: string): Promise<boolean> {
    return db.transaction(async (tx) => {
      const cert = await repo.lockCandidate(tx, scope, serialHex);
      if (!cert) return false;
      const left = daysLeft(cert.notAfter, scope.now);
      const due = reminderDue(thresholds, left, cert.smallestSent === null ? [] : [cert.smallestSent]);
      if (due === undefined) return false;
      const claimed = await repo.claimReminder(tx, { certificateSerial: serialHex, thresholdDays: due, applicationId: cert.applicationId, sentAt: scope.now });
      if (!claimed) return false;
      const date = chineseDate(cert.notAfter);
      const days = String(left);
      await notices.send(tx, cert.applicantId, 'expiry_reminder', { orgName: cert.subjectOrg ?? cert.orgName ?? '', serial: serialHex, date, days });
      await appendAudit(tx, {
        at: scope.now,
        actor: EXPIRY_REMINDER_ACTOR,
        action: 'certificate.expiry_reminder',
        entityType: 'application',
        entityId: cert.applicationId,
        data: {
          serial: serialHex,
          thresholdDays: due,
          daysLeft: left,
          notAfter: cert.notAfter.toISOString(),
          summary: `证书（序列号${serialHex}）将于${date}到期，剩余${days}天，已短信提醒续期`,
        },
      });
      await recordPlatformEvent(tx, {
        type: 'certificate.expiring',
        application: cert.applicationId,
        at: scope.now,
        data: { certificate: { serial: serialHex, notAfter: cert.notAfter.toISOString(), daysLeft: left, thresholdDays: due } },
      });
      return true;
    });
  }

  return {
    /** Sends every reminder owed now; the number sent. Safe to run anywhere, any number of times. */
    async remindExpiring(now = deps.clock()): Promise<number> {
      if (thresholds.length === 0) return 0;
      const scope: repo.CandidateScope = { now, horizonDays };
      let sent = 0;
      for (let afterId = 0; ; ) {
        const page = await repo.candidates(db, scope, afterId, PAGE);
        for (const cert of page) {
          afterId = cert.id;
          // Most certificates in the window were reminded at their threshold already: no transaction for them.
          const owed = reminderDue(thresholds, daysLeft(cert.notAfter, scope.now), cert.smallestSent === null ? [] : [cert.smallestSent]);
          if (owed !== undefined && (await remindOne(scope, cert.serialHex))) sent++;
        }
        if (page.length < PAGE) break;
      }
      if (sent > 0) log.info({ sent }, 'expiry reminders sent');
      return sent;
    },
  };
}

/** The job on the existing queue: pg-boss keeps the schedule and sends one job per run, whatever the number of instances. */
export async function scheduleExpiryReminders(
  boss: JobQueue,
  reminders: ExpiryReminders,
  log: Logger,
  onCompletionError: (err: unknown) => void,
): Promise<QueueWorker> {
  await ensureQueue(boss, { name: EXPIRY_REMINDER_QUEUE, retryLimit: 3, retryDelay: 60, expireInSeconds: 15 * 60 });
  await boss.schedule(EXPIRY_REMINDER_QUEUE, EXPIRY_REMINDER_CRON, {}, { tz: 'Asia/Shanghai' });
  return startWorker(boss, EXPIRY_REMINDER_QUEUE, { concurrency: 1, pollingIntervalMs: 30_000, onError: onCompletionError }, async () => {
    const sent = await reminders.remindExpiring();
    log.debug({ sent }, 'expiry reminder run');
  });
}
