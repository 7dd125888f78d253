/** invoices' tables: invoices and invoice_mails. Only this module queries them. */
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, notInArray, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.ts';
import { applications, invoiceMails, invoices } from '../../db/schema.ts';
import { isUuid } from '../../db/uuid.ts';
import { AppError } from '../../domain/errors.ts';
import { invoiceTransition, type InvoiceEvent, type InvoiceStatus } from '../../domain/invoice.ts';

type Conn = Db | Tx;
export type InvoiceRow = typeof invoices.$inferSelect;
export type InvoiceMailRow = typeof invoiceMails.$inferSelect;

export async function insert(conn: Conn, row: typeof invoices.$inferInsert): Promise<InvoiceRow> {
  const [inserted] = await conn.insert(invoices).values(row).returning();
  if (!inserted) throw new Error('invoice not inserted');
  return inserted;
}

export async function findById(conn: Conn, id: string): Promise<InvoiceRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await conn.select().from(invoices).where(eq(invoices.id, id));
  return row;
}

export async function lock(tx: Tx, id: string): Promise<InvoiceRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await tx.select().from(invoices).where(eq(invoices.id, id)).for('update');
  return row;
}

/** The application's blue invoice that is neither reversed nor cancelled (at most one: a unique index). */
export async function liveBlue(conn: Conn, applicationId: string): Promise<InvoiceRow | undefined> {
  const [row] = await conn
    .select()
    .from(invoices)
    .where(and(eq(invoices.applicationId, applicationId), eq(invoices.colour, 'blue'), notInArray(invoices.status, ['reversed', 'cancelled'])));
  return row;
}

export async function ofApplication(conn: Conn, applicationId: string): Promise<InvoiceRow[]> {
  return conn.select().from(invoices).where(eq(invoices.applicationId, applicationId)).orderBy(asc(invoices.createdAt), desc(invoices.colour));
}

/** For the applicant's list: each application's newest blue invoice. */
export async function blueOf(conn: Conn, applicationIds: readonly string[]): Promise<Map<string, InvoiceRow>> {
  const out = new Map<string, InvoiceRow>();
  if (applicationIds.length === 0) return out;
  const rows = await conn
    .select()
    .from(invoices)
    .where(and(inArray(invoices.applicationId, [...applicationIds]), eq(invoices.colour, 'blue')))
    .orderBy(asc(invoices.createdAt));
  for (const r of rows) out.set(r.applicationId, r); // the newest wins
  return out;
}

/** Anything but the status (writeStatus is its one writer). */
export async function update(conn: Conn, id: string, change: Partial<Omit<typeof invoices.$inferInsert, 'status'>>): Promise<InvoiceRow> {
  const [row] = await conn.update(invoices).set(change).where(eq(invoices.id, id)).returning();
  if (!row) throw new Error('invoice vanished');
  return row;
}

/**
 * The one writer of an invoice's status: the domain decides the next status (domain/invoice.ts),
 * and the row changes only if it still has the status it was read with.
 */
export async function writeStatus(tx: Tx, invoice: InvoiceRow, event: InvoiceEvent, change: Partial<typeof invoices.$inferInsert> = {}): Promise<InvoiceRow> {
  const status = invoiceTransition(invoice.status, event);
  const [row] = await tx
    .update(invoices)
    .set({ ...change, status })
    .where(and(eq(invoices.id, invoice.id), eq(invoices.status, invoice.status)))
    .returning();
  if (!row) throw new AppError('INVOICE_STATUS', '该张发票的状态已改变，请刷新后重试', 409);
  return row;
}

const listColumns = { invoice: invoices, number: applications.number, orgName: applications.orgName };

/** 发票管理's queue: by status, the newest change first. */
export async function list(conn: Conn, f: { statuses?: readonly InvoiceStatus[]; search?: string; limit: number }) {
  const conds: SQL[] = [];
  if (f.statuses?.length) conds.push(inArray(invoices.status, [...f.statuses]));
  if (f.search) conds.push(eq(applications.number, f.search));
  return conn
    .select(listColumns)
    .from(invoices)
    .innerJoin(applications, eq(applications.id, invoices.applicationId))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(invoices.updatedAt))
    .limit(f.limit);
}

/** 发票台账: every invoice, blue and red, issued in [from, to), in the order issued. */
export async function issuedBetween(conn: Conn, from: Date, to: Date) {
  return conn
    .select(listColumns)
    .from(invoices)
    .innerJoin(applications, eq(applications.id, invoices.applicationId))
    .where(and(isNotNull(invoices.issuedAt), gte(invoices.issuedAt, from), lt(invoices.issuedAt, to)))
    .orderBy(asc(invoices.issuedAt), asc(invoices.number));
}

export async function insertMail(conn: Conn, row: typeof invoiceMails.$inferInsert): Promise<InvoiceMailRow> {
  const [inserted] = await conn.insert(invoiceMails).values(row).returning();
  if (!inserted) throw new Error('invoice mail not inserted');
  return inserted;
}

export async function findMail(conn: Conn, id: string): Promise<InvoiceMailRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await conn.select().from(invoiceMails).where(eq(invoiceMails.id, id));
  return row;
}

export async function updateMail(conn: Conn, id: string, change: Partial<typeof invoiceMails.$inferInsert>): Promise<void> {
  await conn.update(invoiceMails).set(change).where(eq(invoiceMails.id, id));
}

export async function mailsOf(conn: Conn, invoiceIds: readonly string[]): Promise<InvoiceMailRow[]> {
  if (invoiceIds.length === 0) return [];
  return conn.select().from(invoiceMails).where(inArray(invoiceMails.invoiceId, [...invoiceIds])).orderBy(asc(invoiceMails.createdAt));
}
