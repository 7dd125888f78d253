/**
 * Reads mails the way the tests of invoices need them: from the mail simulator, which received them
 * over SMTP from the real adapter. Mails go out through the job queue, so one shows up a moment
 * after the action that sends it; recipients are unique per test (CI's PostgreSQL is shared).
 */
import type { MailSimulator, ReceivedMail } from '../../src/providers/mail/simulator.ts';

/** A recipient nobody else in this run writes to. */
export function uniqueMailbox(prefix = 'buyer'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@buyer.example`;
}

/**
 * Polls the simulator until `count` mails to `to` have arrived (newest first), optionally only
 * those whose subject contains `subject`.
 */
export async function waitForMails(
  simulator: Pick<MailSimulator, 'received'>,
  to: string,
  { count = 1, subject, timeoutMs = 15_000 }: { count?: number; subject?: string; timeoutMs?: number } = {},
): Promise<ReceivedMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = (await simulator.received({ to })).filter((m) => subject === undefined || m.subject.includes(subject));
    if (mails.length >= count) return mails;
    if (Date.now() > deadline) throw new Error(`${mails.length} of ${count} mails to ${to} at the mail simulator within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The one newest mail to `to`. */
export async function waitForMail(simulator: Pick<MailSimulator, 'received'>, to: string, options: { subject?: string; timeoutMs?: number } = {}): Promise<ReceivedMail> {
  const [mail] = await waitForMails(simulator, to, options);
  if (!mail) throw new Error(`no mail to ${to}`);
  return mail;
}
