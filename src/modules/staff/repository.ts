/** staff's table: staff_accounts. Only this file queries it. */
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.ts';
import { staffAccounts } from '../../db/schema.ts';
import { isUuid } from '../../db/uuid.ts';
import { advisoryXactLock } from '../../db/advisory-lock.ts';

type Conn = Db | Tx;
export type StaffAccountRow = typeof staffAccounts.$inferSelect;

export async function findById(tx: Conn, id: string): Promise<StaffAccountRow | undefined> {
  const [row] = await tx.select().from(staffAccounts).where(eq(staffAccounts.id, id));
  return row;
}

export async function findByIds(tx: Conn, ids: string[]): Promise<StaffAccountRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return tx.select().from(staffAccounts).where(inArray(staffAccounts.id, valid));
}

export async function findByUsername(tx: Conn, username: string): Promise<StaffAccountRow | undefined> {
  const [row] = await tx.select().from(staffAccounts).where(eq(staffAccounts.username, username));
  return row;
}

/**
 * Reads the account and holds its row until the transaction ends: the steps of one account's login
 * (failure count, ticket, last TOTP step) are read-then-written, and two requests at once, on any
 * instance, must not both pass.
 */
export async function lockById(tx: Tx, id: string): Promise<StaffAccountRow | undefined> {
  const [row] = await tx.select().from(staffAccounts).where(eq(staffAccounts.id, id)).for('update');
  return row;
}

export async function lockByUsername(tx: Tx, username: string): Promise<StaffAccountRow | undefined> {
  const [row] = await tx.select().from(staffAccounts).where(eq(staffAccounts.username, username)).for('update');
  return row;
}

export async function list(tx: Conn): Promise<StaffAccountRow[]> {
  return tx.select().from(staffAccounts).orderBy(asc(staffAccounts.createdAt), asc(staffAccounts.username));
}

/** Inserts unless the username is taken; undefined when it was. */
export async function insertIfAbsent(tx: Conn, row: typeof staffAccounts.$inferInsert): Promise<StaffAccountRow | undefined> {
  const [inserted] = await tx.insert(staffAccounts).values(row).onConflictDoNothing({ target: staffAccounts.username }).returning();
  return inserted;
}

export type StaffAccountChange = Partial<
  Pick<
    StaffAccountRow,
    | 'displayName'
    | 'passwordHash'
    | 'totpSecretSealed'
    | 'totpEnrolledAt'
    | 'roles'
    | 'disabledAt'
    | 'failedLogins'
    | 'lockedUntil'
    | 'lastLoginAt'
  >
>;

export async function update(tx: Conn, id: string, change: StaffAccountChange): Promise<StaffAccountRow | undefined> {
  const [row] = await tx.update(staffAccounts).set(change).where(eq(staffAccounts.id, id)).returning();
  return row;
}

/** Enabled accounts holding the admin role. */
export async function countActiveAdmins(tx: Conn): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(staffAccounts)
    .where(and(isNull(staffAccounts.disabledAt), sql`${staffAccounts.roles} @> '["admin"]'::jsonb`));
  return row?.n ?? 0;
}

/** Serialises changes that must keep at least one administrator, across instances. */
export async function lockAdminRoster(tx: Tx): Promise<void> {
  await advisoryXactLock(tx, 'staff:admin-roster');
}
