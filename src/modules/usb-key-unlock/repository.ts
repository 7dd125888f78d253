/** usb-key-unlock's table, usb_key_unlocks, and only it. */
import { and, eq, gt } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.ts';
import { usbKeyUnlocks } from '../../db/schema.ts';
import { advisoryXactLock } from '../../db/advisory-lock.ts';

type Conn = Db | Tx;
export type UnlockRow = typeof usbKeyUnlocks.$inferSelect;
export type NewUnlock = typeof usbKeyUnlocks.$inferInsert;

/** Two requests of one holder, or for one key, take turns (holder first, then key: one order, no deadlock). */
export async function lockHolderAndKey(tx: Tx, applicantId: string, keySerial: string): Promise<void> {
  await advisoryXactLock(tx, `usb-key-unlock:holder:${applicantId}`);
  await advisoryXactLock(tx, `usb-key-unlock:key:${keySerial}`);
}

/** When the key's and the holder's requests since `keySince` / `holderSince` were made. */
export async function history(tx: Conn, applicantId: string, keySerial: string, keySince: Date, holderSince: Date) {
  const key = await tx
    .select({ at: usbKeyUnlocks.createdAt })
    .from(usbKeyUnlocks)
    .where(and(eq(usbKeyUnlocks.keySerial, keySerial), gt(usbKeyUnlocks.createdAt, keySince)));
  const holder = await tx
    .select({ at: usbKeyUnlocks.createdAt })
    .from(usbKeyUnlocks)
    .where(and(eq(usbKeyUnlocks.applicantId, applicantId), gt(usbKeyUnlocks.createdAt, holderSince)));
  return { keyRequests: key.map((r) => r.at), holderRequests: holder.map((r) => r.at) };
}

export async function insert(tx: Tx, row: NewUnlock): Promise<UnlockRow> {
  const [inserted] = await tx.insert(usbKeyUnlocks).values(row).returning();
  if (!inserted) throw new Error('usb_key_unlocks insert returned nothing');
  return inserted;
}

export async function find(conn: Conn, id: string): Promise<UnlockRow | undefined> {
  const [row] = await conn.select().from(usbKeyUnlocks).where(eq(usbKeyUnlocks.id, id));
  return row;
}

export async function lock(tx: Tx, id: string): Promise<UnlockRow | undefined> {
  const [row] = await tx.select().from(usbKeyUnlocks).where(eq(usbKeyUnlocks.id, id)).for('update');
  return row;
}

/** The one writer of a request's status: from pending only. */
export async function settle(tx: Tx, id: string, change: { status: 'pending' | 'answered' | 'burned'; failedAttempts: number; answeredAt?: Date }): Promise<void> {
  await tx
    .update(usbKeyUnlocks)
    .set({ status: change.status, failedAttempts: change.failedAttempts, ...(change.answeredAt ? { answeredAt: change.answeredAt } : {}) })
    .where(and(eq(usbKeyUnlocks.id, id), eq(usbKeyUnlocks.status, 'pending')));
}
