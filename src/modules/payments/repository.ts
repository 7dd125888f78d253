/** payments' tables: payments, payment_notifications, refunds. Only this module queries them. */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.ts';
import { applications, paymentNotifications, payments, refunds } from '../../db/schema.ts';
import { isUuid } from '../../db/uuid.ts';
import { AppError } from '../../domain/errors.ts';
import { paymentTransition, refundTransition, type PaymentEvent, type RefundEvent } from '../../domain/lifecycles.ts';

type Conn = Db | Tx;
export type PaymentRow = typeof payments.$inferSelect;
export type RefundRow = typeof refunds.$inferSelect;

export async function latest(conn: Conn, applicationId: string, method?: PaymentRow['method']): Promise<PaymentRow | undefined> {
  const cond = method ? and(eq(payments.applicationId, applicationId), eq(payments.method, method)) : eq(payments.applicationId, applicationId);
  const [row] = await conn.select().from(payments).where(cond).orderBy(desc(payments.createdAt), desc(payments.id)).limit(1);
  return row;
}

export async function countOf(conn: Conn, applicationId: string, method: PaymentRow['method']): Promise<number> {
  const rows = await conn
    .select({ id: payments.id })
    .from(payments)
    .where(and(eq(payments.applicationId, applicationId), eq(payments.method, method)));
  return rows.length;
}

export async function findById(conn: Conn, id: string): Promise<PaymentRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await conn.select().from(payments).where(eq(payments.id, id));
  return row;
}

export async function lock(tx: Tx, id: string): Promise<PaymentRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await tx.select().from(payments).where(eq(payments.id, id)).for('update');
  return row;
}

export async function lockByOutTradeNo(tx: Tx, outTradeNo: string): Promise<PaymentRow | undefined> {
  const [row] = await tx.select().from(payments).where(eq(payments.outTradeNo, outTradeNo)).for('update');
  return row;
}

export async function insert(conn: Conn, row: typeof payments.$inferInsert): Promise<PaymentRow> {
  const [inserted] = await conn.insert(payments).values(row).returning();
  if (!inserted) throw new Error('payment not inserted');
  return inserted;
}

/** Anything but the status (writeStatus is its one writer). */
export async function update(conn: Conn, id: string, change: Partial<Omit<typeof payments.$inferInsert, 'status'>>): Promise<PaymentRow> {
  const [row] = await conn.update(payments).set(change).where(eq(payments.id, id)).returning();
  if (!row) throw new Error('payment vanished');
  return row;
}

/** Records a notification id; false when it was already there (a replay). */
export async function rememberNotification(tx: Tx, id: string, outTradeNo: string, outcome: string, at: Date): Promise<boolean> {
  const rows = await tx
    .insert(paymentNotifications)
    .values({ id, outTradeNo, outcome, receivedAt: at })
    .onConflictDoNothing()
    .returning({ id: paymentNotifications.id });
  return rows.length > 0;
}

/** Payments waiting for 财务, oldest first, with what the queue shows of their application. */
export async function byStatus(conn: Conn, statuses: PaymentRow['status'][], limit = 200) {
  return conn
    .select({ payment: payments, number: applications.number, orgName: applications.orgName, appStatus: applications.status })
    .from(payments)
    .innerJoin(applications, eq(applications.id, payments.applicationId))
    .where(inArray(payments.status, statuses))
    .orderBy(asc(payments.updatedAt))
    .limit(limit);
}

export async function insertRefund(conn: Conn, row: typeof refunds.$inferInsert): Promise<RefundRow> {
  const [inserted] = await conn.insert(refunds).values(row).returning();
  if (!inserted) throw new Error('refund not inserted');
  return inserted;
}

export async function lockRefund(tx: Tx, id: string): Promise<RefundRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await tx.select().from(refunds).where(eq(refunds.id, id)).for('update');
  return row;
}

/** Anything but the status (writeRefundStatus is its one writer). */
export async function updateRefund(conn: Conn, id: string, change: Partial<Omit<typeof refunds.$inferInsert, 'status'>>): Promise<RefundRow> {
  const [row] = await conn.update(refunds).set(change).where(eq(refunds.id, id)).returning();
  if (!row) throw new Error('refund vanished');
  return row;
}

export async function refundsOf(conn: Conn, applicationId: string): Promise<RefundRow[]> {
  return conn.select().from(refunds).where(eq(refunds.applicationId, applicationId)).orderBy(asc(refunds.createdAt));
}

export async function pendingRefunds(conn: Conn, limit = 200) {
  return conn
    .select({ refund: refunds, number: applications.number, orgName: applications.orgName })
    .from(refunds)
    .innerJoin(applications, eq(applications.id, refunds.applicationId))
    .where(inArray(refunds.status, ['pending', 'failed']))
    .orderBy(asc(refunds.createdAt))
    .limit(limit);
}

export async function latestPaid(conn: Conn, applicationId: string): Promise<PaymentRow | undefined> {
  const [row] = await conn
    .select()
    .from(payments)
    .where(and(eq(payments.applicationId, applicationId), eq(payments.status, 'paid')))
    .orderBy(desc(payments.paidAt))
    .limit(1);
  return row;
}

export async function pendingByOutRefundNo(tx: Tx, outRefundNo: string): Promise<RefundRow[]> {
  return tx.select().from(refunds).where(eq(refunds.outRefundNo, outRefundNo)).for('update');
}

export async function refundsById(conn: Conn, id: string): Promise<RefundRow[]> {
  if (!isUuid(id)) return [];
  return conn.select().from(refunds).where(eq(refunds.id, id));
}

/** The open bank-transfer attempts of these applications (the list shows their remittance codes). */
export async function openBankTransfersOf(conn: Conn, applicationIds: string[]): Promise<PaymentRow[]> {
  if (applicationIds.length === 0) return [];
  return conn
    .select()
    .from(payments)
    .where(and(inArray(payments.applicationId, applicationIds), eq(payments.method, 'bank_transfer'), eq(payments.status, 'open')))
    .orderBy(desc(payments.createdAt));
}

/**
 * The one writer of a payment's status: the domain decides the next status (lifecycles.ts), and
 * the row changes only if it still has the status it was read with.
 */
export async function writeStatus(tx: Tx, payment: PaymentRow, event: PaymentEvent, change: Partial<typeof payments.$inferInsert> = {}): Promise<PaymentRow> {
  const status = paymentTransition(payment.status, event);
  const [row] = await tx
    .update(payments)
    .set({ ...change, status })
    .where(and(eq(payments.id, payment.id), eq(payments.status, payment.status)))
    .returning();
  if (!row) throw new AppError('PAYMENT_STATUS', '该笔支付的状态已改变，请刷新后重试', 409);
  return row;
}

/** The one writer of a refund's status, likewise. */
export async function writeRefundStatus(tx: Tx, refund: RefundRow, event: RefundEvent, change: Partial<typeof refunds.$inferInsert> = {}): Promise<RefundRow> {
  const status = refundTransition(refund.status, event);
  const [row] = await tx
    .update(refunds)
    .set({ ...change, status })
    .where(and(eq(refunds.id, refund.id), eq(refunds.status, refund.status)))
    .returning();
  if (!row) throw new AppError('REFUND_STATUS', '该笔退款的状态已改变，请刷新后重试', 409);
  return row;
}
