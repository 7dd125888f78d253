/** audit: reading the records about one entity (an application's timeline), oldest first. */
import { and, asc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.ts';
import { auditLog } from '../../db/schema.ts';
import type { AuditRecordView } from '../../domain/timeline.ts';

export async function recordsOf(db: Db | Tx, entityType: string, entityId: string, limit = 500): Promise<AuditRecordView[]> {
  return db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      actorKind: auditLog.actorKind,
      actorId: auditLog.actorId,
      data: auditLog.data,
    })
    .from(auditLog)
    .where(and(eq(auditLog.entityType, entityType), eq(auditLog.entityId, entityId)))
    .orderBy(asc(auditLog.id))
    .limit(limit);
}
