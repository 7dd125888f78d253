/**
 * audit: an append-only log, hash-chained. A record's hash covers its content and the previous
 * record's hash, so changing or removing any row breaks every link after it. Appends take a
 * transaction-scoped lock so that concurrent transactions (on any instance) chain in order; the
 * record commits or rolls back with the change it describes.
 */
import { createHash } from 'node:crypto';
import { asc, desc, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.ts';
import { auditLog } from '../../db/schema.ts';
import { canonicalJson } from '../../domain/canonical-json.ts';
import type { AuditAction, AuditDataOf } from '../../domain/audit-actions.ts';
import type { Principal } from '../../domain/principal.ts';
import { advisoryXactLock } from '../../db/advisory-lock.ts';

const GENESIS = '0'.repeat(64);
const AUDIT_LOCK_KEY = 72_410_002;

/** One record to append: the action and its data as domain/audit-actions.ts declares them. */
export type AuditEntry = {
  [A in AuditAction]: {
    at: Date;
    actor: Principal | { kind: 'system'; id: string };
    action: A;
    entityType: string;
    entityId: string;
    data: AuditDataOf[A];
  };
}[AuditAction];

interface RecordContent {
  at: Date;
  actorKind: string;
  actorId: string;
  action: string;
  entityType: string;
  entityId: string;
  data: Record<string, unknown>;
}

export function recordHash(prevHash: string, r: RecordContent): string {
  const content = canonicalJson({
    at: r.at.toISOString(),
    actorKind: r.actorKind,
    actorId: r.actorId,
    action: r.action,
    entityType: r.entityType,
    entityId: r.entityId,
    data: r.data,
  });
  return createHash('sha256').update(`${prevHash}\n${content}`).digest('hex');
}

export async function appendAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await appendAuditBatch(tx, [entry]);
}

/**
 * Appends several records in order under one lock and one INSERT (bulk issuance): the same chain
 * as appending them one by one. A single multi-row INSERT assigns ids in the order of its rows.
 */
export async function appendAuditBatch(tx: Tx, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await advisoryXactLock(tx, AUDIT_LOCK_KEY);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  let prevHash = last?.hash ?? GENESIS;
  const rows = entries.map((entry) => {
    const content: RecordContent = {
      at: entry.at,
      actorKind: entry.actor.kind,
      actorId: entry.actor.id,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      // Through JSON once, so the hash is computed over exactly what jsonb will give back.
      data: JSON.parse(JSON.stringify(entry.data)) as Record<string, unknown>,
    };
    const row = { ...content, prevHash, hash: recordHash(prevHash, content) };
    prevHash = row.hash;
    return row;
  });
  await tx.insert(auditLog).values(rows);
}

/** The newest record: where a later `verifyAuditChain(db, batch, from)` may start. */
export async function auditHead(db: Db | Tx): Promise<{ id: number; hash: string } | undefined> {
  const [last] = await db.select({ id: auditLog.id, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  return last;
}

export type ChainVerdict = { ok: true; records: number } | { ok: false; records: number; brokenAt: number; reason: string };

/**
 * Walks the chain in id order; names the first record whose link does not hold. By default the
 * whole chain from the genesis; `from` starts at a record taken as trusted (its hash anchors the
 * rest), for checking what was appended since.
 */
export async function verifyAuditChain(db: Db | Tx, batch = 1000, from?: { id: number; hash: string }): Promise<ChainVerdict> {
  let prev = from?.hash ?? GENESIS;
  let afterId = from?.id ?? 0;
  let count = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.id} > ${afterId}`)
      .orderBy(asc(auditLog.id))
      .limit(batch);
    for (const row of rows) {
      count++;
      if (row.prevHash !== prev) {
        return { ok: false, records: count, brokenAt: row.id, reason: '前一条记录的哈希不符（记录被删除或插入）' };
      }
      if (recordHash(row.prevHash, row) !== row.hash) {
        return { ok: false, records: count, brokenAt: row.id, reason: '记录内容与其哈希不符（记录被修改）' };
      }
      prev = row.hash;
      afterId = row.id;
    }
    if (rows.length < batch) return { ok: true, records: count };
  }
}
