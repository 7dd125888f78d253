/**
 * The staff login's short-lived state, kept in the shared `settings` table under keys of its own
 * (`staff.ticket.<account>`, `staff.totp-step.<account>`) so that every app instance sees it:
 *
 * - The login ticket bridges the password step and the TOTP (or enrolment) step. It is
 *   `<account id>.<32 random bytes>`; only its SHA-256 is stored, with its purpose and expiry, one
 *   per account — a newer login replaces an older ticket — and it is deleted when used.
 * - The last accepted TOTP time step of each account, so that a code is never accepted twice.
 *
 * Callers hold the account's row lock (repository.lockById) around every read-then-write here.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../db/database.ts';
import { settings } from '../../db/schema.ts';

export const TICKET_TTL_SECONDS = 5 * 60;
export type TicketPurpose = 'enrol' | 'totp';

const ticketKey = (accountId: string) => `staff.ticket.${accountId}`;
const stepKey = (accountId: string) => `staff.totp-step.${accountId}`;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const storedTicket = z.object({
  hash: z.string(),
  purpose: z.enum(['enrol', 'totp']),
  expiresAt: z.iso.datetime(),
  /** Enrolment only: the secret the QR code showed, sealed; it becomes the account's once confirmed. */
  pendingSecretSealed: z.string().optional(),
});

const TICKET_PATTERN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{43}$/;

/** The account a ticket claims to be for; undefined when the ticket is not even well formed. */
export function ticketAccountId(ticket: string): string | undefined {
  return TICKET_PATTERN.exec(ticket)?.[1];
}

export async function issueTicket(
  tx: Tx,
  accountId: string,
  purpose: TicketPurpose,
  now: Date,
  pendingSecretSealed?: string,
): Promise<string> {
  const ticket = `${accountId}.${randomBytes(32).toString('base64url')}`;
  const value = JSON.stringify({
    hash: sha256(ticket),
    purpose,
    expiresAt: new Date(now.getTime() + TICKET_TTL_SECONDS * 1000).toISOString(),
    pendingSecretSealed,
  } satisfies z.input<typeof storedTicket>);
  await tx
    .insert(settings)
    .values({ key: ticketKey(accountId), value, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now } });
  return ticket;
}

/** The live ticket matching `ticket` and `purpose`, or undefined. Does not use it up. */
export async function findTicket(
  tx: Tx,
  accountId: string,
  ticket: string,
  purpose: TicketPurpose,
  now: Date,
): Promise<{ pendingSecretSealed: string | undefined } | undefined> {
  const [row] = await tx.select().from(settings).where(eq(settings.key, ticketKey(accountId)));
  if (!row) return undefined;
  const parsed = storedTicket.safeParse(JSON.parse(row.value));
  if (!parsed.success) return undefined;
  const stored = parsed.data;
  const given = Buffer.from(sha256(ticket), 'hex');
  const expected = Buffer.from(stored.hash, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  if (stored.purpose !== purpose) return undefined;
  if (new Date(stored.expiresAt).getTime() <= now.getTime()) return undefined;
  return { pendingSecretSealed: stored.pendingSecretSealed };
}

export async function deleteTicket(tx: Tx, accountId: string): Promise<void> {
  await tx.delete(settings).where(eq(settings.key, ticketKey(accountId)));
}

export async function lastAcceptedStep(tx: Tx, accountId: string): Promise<number | undefined> {
  const [row] = await tx.select().from(settings).where(eq(settings.key, stepKey(accountId)));
  if (!row) return undefined;
  const step = Number(row.value);
  return Number.isSafeInteger(step) ? step : undefined;
}

export async function recordAcceptedStep(tx: Tx, accountId: string, step: number, now: Date): Promise<void> {
  const value = String(step);
  await tx
    .insert(settings)
    .values({ key: stepKey(accountId), value, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now } });
}

/** A new second factor starts with no history (reset-totp). */
export async function forgetTotpState(tx: Tx, accountId: string): Promise<void> {
  await tx.delete(settings).where(eq(settings.key, stepKey(accountId)));
  await deleteTicket(tx, accountId);
}
