/** production's table: shipments. Only this file queries it. */
import { eq, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.ts';
import { shipments } from '../../db/schema.ts';

type Conn = Db | Tx;
export type ShipmentRow = typeof shipments.$inferSelect;
export type NewShipment = typeof shipments.$inferInsert;

export async function insertShipment(tx: Tx, row: NewShipment): Promise<ShipmentRow> {
  const [inserted] = await tx.insert(shipments).values(row).returning();
  if (!inserted) throw new Error('shipment insert returned nothing');
  return inserted;
}

export async function findShipment(conn: Conn, applicationId: string): Promise<ShipmentRow | undefined> {
  const [row] = await conn.select().from(shipments).where(eq(shipments.applicationId, applicationId));
  return row;
}

export async function shipmentsOf(conn: Conn, applicationIds: readonly string[]): Promise<Map<string, ShipmentRow>> {
  if (applicationIds.length === 0) return new Map();
  const rows = await conn.select().from(shipments).where(inArray(shipments.applicationId, [...applicationIds]));
  return new Map(rows.map((r) => [r.applicationId, r]));
}

export async function markCompleted(
  tx: Tx,
  applicationId: string,
  at: Date,
  how: NonNullable<ShipmentRow['completedHow']>,
  by: string,
): Promise<void> {
  await tx.update(shipments).set({ completedAt: at, completedHow: how, completedBy: by }).where(eq(shipments.applicationId, applicationId));
}
