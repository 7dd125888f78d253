/** platforms' tables: relying platforms, their keys and nonces, the webhook outbox and its attempts. */
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, notExists, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../../db/database.ts';
import { isUuid } from '../../db/uuid.ts';
import { platformApiKeys, platformNonces, relyingPlatforms, webhookAttempts, webhookDeliveries, webhookEvents } from '../../db/schema.ts';

type Conn = Db | Tx;
export type PlatformRow = typeof relyingPlatforms.$inferSelect;
export type ApiKeyRow = typeof platformApiKeys.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type EventRow = typeof webhookEvents.$inferSelect;
export type AttemptRow = typeof webhookAttempts.$inferSelect;

// ── platforms and keys ──

export async function insertPlatform(tx: Tx, row: Omit<typeof relyingPlatforms.$inferInsert, 'id'>): Promise<PlatformRow> {
  const [inserted] = await tx.insert(relyingPlatforms).values(row).returning();
  if (!inserted) throw new Error('platform insert returned nothing');
  return inserted;
}

export async function updatePlatform(tx: Tx, id: string, fields: Pick<PlatformRow, 'name' | 'contact' | 'webhookUrl' | 'projectIds' | 'updatedAt'>) {
  const [row] = await tx.update(relyingPlatforms).set(fields).where(eq(relyingPlatforms.id, id)).returning();
  return row;
}

export async function platformById(db: Conn, id: string): Promise<PlatformRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(relyingPlatforms).where(eq(relyingPlatforms.id, id));
  return row;
}

export async function listPlatforms(db: Conn): Promise<PlatformRow[]> {
  return db.select().from(relyingPlatforms).orderBy(asc(relyingPlatforms.createdAt));
}

/** Platforms told of the events of a project's applications: those with a webhook URL that see it. */
export async function platformsWatching(tx: Conn, projectId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: relyingPlatforms.id })
    .from(relyingPlatforms)
    .where(and(isNotNull(relyingPlatforms.webhookUrl), sql`${projectId} = ANY(${relyingPlatforms.projectIds})`));
  return rows.map((r) => r.id);
}

export async function insertKey(tx: Tx, row: typeof platformApiKeys.$inferInsert): Promise<ApiKeyRow> {
  const [inserted] = await tx.insert(platformApiKeys).values(row).returning();
  if (!inserted) throw new Error('key insert returned nothing');
  return inserted;
}

export async function keysOf(db: Conn, platformIds: string[]): Promise<ApiKeyRow[]> {
  if (platformIds.length === 0) return [];
  return db.select().from(platformApiKeys).where(inArray(platformApiKeys.platformId, platformIds)).orderBy(desc(platformApiKeys.createdAt));
}

export async function keyById(db: Conn, keyId: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(platformApiKeys).where(eq(platformApiKeys.keyId, keyId));
  return row;
}

/** Rotation: the platform's other live keys stay valid until `until` (the overlap), unless they end sooner. */
export async function expireOtherKeys(tx: Tx, platformId: string, exceptKeyId: string, until: Date): Promise<string[]> {
  const k = platformApiKeys;
  const rows = await tx
    .update(k)
    .set({ expiresAt: until })
    .where(and(eq(k.platformId, platformId), sql`${k.keyId} <> ${exceptKeyId}`, isNull(k.revokedAt), or(isNull(k.expiresAt), gt(k.expiresAt, until))))
    .returning({ keyId: k.keyId });
  return rows.map((r) => r.keyId);
}

export async function revokeKey(tx: Tx, platformId: string, keyId: string, at: Date): Promise<ApiKeyRow | undefined> {
  const [row] = await tx
    .update(platformApiKeys)
    .set({ revokedAt: at })
    .where(and(eq(platformApiKeys.platformId, platformId), eq(platformApiKeys.keyId, keyId), isNull(platformApiKeys.revokedAt)))
    .returning();
  return row;
}

/** Records the nonce; false when this key used it before (and it has not expired since). */
export async function useNonce(db: Conn, keyId: string, nonce: string, expiresAt: Date): Promise<boolean> {
  const rows = await db.insert(platformNonces).values({ keyId, nonce, expiresAt }).onConflictDoNothing().returning({ nonce: platformNonces.nonce });
  return rows.length === 1;
}

export async function pruneNonces(db: Conn, now: Date): Promise<number> {
  const rows = await db.delete(platformNonces).where(lt(platformNonces.expiresAt, now)).returning({ nonce: platformNonces.nonce });
  return rows.length;
}

// ── the outbox ──

export async function insertEvent(tx: Tx, input: { event: Omit<typeof webhookEvents.$inferInsert, 'id'>; platformIds: string[] }): Promise<EventRow> {
  const [event] = await tx.insert(webhookEvents).values(input.event).returning();
  if (!event) throw new Error('event insert returned nothing');
  await tx.insert(webhookDeliveries).values(
    input.platformIds.map((platformId) => ({
      eventId: event.id,
      platformId,
      applicationId: event.applicationId,
      status: 'pending' as const,
      createdAt: event.occurredAt,
      updatedAt: event.occurredAt,
    })),
  );
  return event;
}

const earlier = alias(webhookDeliveries, 'earlier');

/**
 * Pending deliveries with no job yet that are next in their stream (no earlier pending one of the
 * same platform and application), locked for this transaction; other instances skip them.
 */
export async function unqueuedHeads(tx: Tx, limit: number, stream?: { platformId: string; applicationId: string }): Promise<{ id: string }[]> {
  const d = webhookDeliveries;
  return tx
    .select({ id: d.id })
    .from(d)
    .where(
      and(
        eq(d.status, 'pending'),
        isNull(d.queuedAt),
        ...(stream ? [eq(d.platformId, stream.platformId), eq(d.applicationId, stream.applicationId)] : []),
        notExists(
          tx
            .select({ one: sql`1` })
            .from(earlier)
            .where(and(eq(earlier.platformId, d.platformId), eq(earlier.applicationId, d.applicationId), eq(earlier.status, 'pending'), lt(earlier.seq, d.seq))),
        ),
      ),
    )
    .orderBy(asc(d.seq))
    .limit(limit)
    .for('update', { skipLocked: true });
}

export async function markQueued(tx: Tx, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.update(webhookDeliveries).set({ queuedAt: at }).where(inArray(webhookDeliveries.id, ids));
}

/**
 * A job's delivery was lost (its job failed for good, e.g. expired too often): queue it again.
 * "Untouched for `staleSeconds`" by the database's clock, not an instance's: one instance whose
 * clock runs ahead must not take every other instance's waiting deliveries for lost.
 */
export async function unqueueStale(db: Conn, staleSeconds: number): Promise<number> {
  const d = webhookDeliveries;
  const rows = await db
    .update(d)
    .set({ queuedAt: null })
    .where(and(eq(d.status, 'pending'), isNotNull(d.queuedAt), lt(d.updatedAt, sql`now() - make_interval(secs => ${staleSeconds})`)))
    .returning({ id: d.id });
  return rows.length;
}

export async function deliveryToSend(db: Conn, id: string) {
  const [row] = await db
    .select({ delivery: webhookDeliveries, event: webhookEvents, platform: relyingPlatforms })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(relyingPlatforms, eq(relyingPlatforms.id, webhookDeliveries.platformId))
    .where(eq(webhookDeliveries.id, id));
  return row;
}

/** One attempt's record, and its outcome on the delivery (if it is still pending). */
export async function recordAttempt(
  tx: Tx,
  input: { deliveryId: string; at: Date; attempt: number; trigger: 'auto' | 'resend'; statusCode: number | null; error: string | null; durationMs: number; outcome: 'delivered' | 'failed' | 'retry' },
): Promise<void> {
  await tx.insert(webhookAttempts).values({
    deliveryId: input.deliveryId,
    at: input.at,
    attempt: input.attempt,
    trigger: input.trigger,
    statusCode: input.statusCode,
    error: input.error,
    durationMs: input.durationMs,
  });
  await tx
    .update(webhookDeliveries)
    .set({
      attempts: input.attempt,
      lastStatusCode: input.statusCode,
      lastError: input.error,
      updatedAt: input.at,
      ...(input.outcome === 'retry' ? {} : { status: input.outcome }),
      ...(input.outcome === 'delivered' ? { deliveredAt: input.at } : {}),
    })
    .where(and(eq(webhookDeliveries.id, input.deliveryId), eq(webhookDeliveries.status, 'pending')));
}

/** 重新投递: pending again, attempts counted afresh, queued now (the caller sends its job). */
export async function requeue(tx: Tx, platformId: string, id: string, at: Date): Promise<DeliveryRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await tx
    .update(webhookDeliveries)
    .set({ status: 'pending', attempts: 0, queuedAt: at, updatedAt: at })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.platformId, platformId)))
    .returning();
  return row;
}

export async function deliveriesOf(db: Conn, platformId: string, limit: number) {
  return db
    .select({ delivery: webhookDeliveries, event: webhookEvents })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(eq(webhookDeliveries.platformId, platformId))
    .orderBy(desc(webhookDeliveries.seq))
    .limit(limit);
}

export async function attemptsOf(db: Conn, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, deliveryIds)).orderBy(asc(webhookAttempts.id));
}
