/**
 * The 管理员's use cases on the service contract: list its versions, read one, add the next.
 * Versions are never edited — an acceptance records the version it was shown, so the text an
 * applicant agreed to can always be rebuilt from that version and checked against its hash.
 */
import { count, desc, eq, max } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { contractAcceptances, contractTemplates } from '../../db/schema.ts';
import { AppError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/principal.ts';
import { contractTemplateProblem } from '../../domain/templates.ts';
import { appendAudit } from '../audit/chain.ts';
import { sha256Hex } from './service.ts';
import { advisoryXactLock } from '../../db/advisory-lock.ts';

/** Two administrators adding a version at once take turns, instead of one meeting the unique index. */
const CONTRACT_VERSION_LOCK_KEY = 72_410_101;

export type ContractTemplate = typeof contractTemplates.$inferSelect;

export interface ContractVersionSummary {
  version: number;
  title: string;
  createdAt: Date;
  /** How many acceptances (签署 and 阅读) were made under this version. */
  acceptances: number;
  current: boolean;
}

export type ContractAdmin = ReturnType<typeof createContractAdmin>;

export function createContractAdmin(db: Db, clock: () => Date) {
  return {
    async versions(): Promise<ContractVersionSummary[]> {
      const rows = await db
        .select({ version: contractTemplates.version, title: contractTemplates.title, createdAt: contractTemplates.createdAt })
        .from(contractTemplates)
        .orderBy(desc(contractTemplates.version));
      const counts = await db
        .select({ version: contractAcceptances.templateVersion, n: count() })
        .from(contractAcceptances)
        .groupBy(contractAcceptances.templateVersion);
      const byVersion = new Map(counts.map((c) => [c.version, c.n]));
      return rows.map((r, i) => ({ ...r, acceptances: byVersion.get(r.version) ?? 0, current: i === 0 }));
    },

    async version(version: number): Promise<ContractTemplate> {
      const [row] = await db.select().from(contractTemplates).where(eq(contractTemplates.version, version));
      if (!row) throw new AppError('CONTRACT_VERSION_NOT_FOUND', `合同模板第${version}版不存在`, 404);
      return row;
    },

    /** The next version, used for every contract shown from now on; earlier acceptances keep theirs. */
    async addVersion(actor: Principal, title: string, body: string): Promise<ContractTemplate> {
      const problem = contractTemplateProblem(title, body);
      if (problem) throw new AppError('CONTRACT_TEMPLATE_INVALID', problem);
      return db.transaction(async (tx) => {
        await advisoryXactLock(tx, CONTRACT_VERSION_LOCK_KEY);
        const [{ latest } = { latest: 0 }] = await tx.select({ latest: max(contractTemplates.version) }).from(contractTemplates);
        const now = clock();
        const [row] = await tx
          .insert(contractTemplates)
          .values({ version: (latest ?? 0) + 1, title: title.trim(), body, createdAt: now })
          .returning();
        if (!row) throw new Error('contract template insert returned nothing');
        await appendAudit(tx, {
          at: now,
          actor,
          action: 'contract_template.add',
          entityType: 'contract_template',
          entityId: String(row.version),
          data: { version: row.version, title: row.title, bodySha256: sha256Hex(body) },
        });
        return row;
      });
    },
  };
}
