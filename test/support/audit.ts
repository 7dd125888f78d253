/** What the audit log says happened to one entity, in order: the actions, for tests to compare. */
import { and, asc, eq } from 'drizzle-orm';
import { auditLog } from '../../src/db/schema.ts';
import type { TestApp } from './app.ts';

export async function auditActions(app: TestApp, entityType: string, entityId: string): Promise<string[]> {
  const rows = await app.certdesk.database.db
    .select({ action: auditLog.action })
    .from(auditLog)
    .where(and(eq(auditLog.entityType, entityType), eq(auditLog.entityId, entityId)))
    .orderBy(asc(auditLog.id));
  return rows.map((r) => r.action);
}
