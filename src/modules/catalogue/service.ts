/** catalogue: 所属项目 (projects and their attachment rules), prices, the pickup address. */
import { and, asc, desc, eq, lte } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { prices, projects } from '../../db/schema.ts';
import { AppError } from '../../domain/errors.ts';
import type { PriceKind } from '../../domain/aftersales.ts';

export type Project = typeof projects.$inferSelect;
export type CatalogueService = ReturnType<typeof createCatalogueService>;

export function createCatalogueService(db: Db) {
  return {
    async listProjects(): Promise<Project[]> {
      return db.select().from(projects).where(eq(projects.active, true)).orderBy(asc(projects.sortOrder));
    },

    /** Every project's name by id, withdrawn ones too: what reports label old applications with. */
    async projectNames(): Promise<Map<string, string>> {
      const rows = await db.select({ id: projects.id, name: projects.name }).from(projects);
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    /**
     * The project an application names, active or not: an application that chose a project before
     * an administrator withdrew it keeps that project's attachment rules and review rules.
     */
    async project(id: string): Promise<Project> {
      const [row] = await db.select().from(projects).where(eq(projects.id, id));
      if (!row) throw new AppError('PROJECT_UNKNOWN', '所选项目不存在，请重新选择所属项目');
      return row;
    },

    /** A project an applicant may choose now: only active ones are offered. */
    async offeredProject(id: string): Promise<Project> {
      const [row] = await db.select().from(projects).where(and(eq(projects.id, id), eq(projects.active, true)));
      if (!row) throw new AppError('PROJECT_UNKNOWN', '所选项目不存在或已停用，请重新选择所属项目');
      return row;
    },

    /** The price in force at `at` of a kind (首次申请, 续费, 变更, 补办), in fen. */
    async price(kind: PriceKind, at: Date): Promise<number> {
      const [row] = await db
        .select({ amountFen: prices.amountFen })
        .from(prices)
        .where(and(eq(prices.kind, kind), lte(prices.effectiveFrom, at)))
        .orderBy(desc(prices.effectiveFrom))
        .limit(1);
      if (!row) throw new Error(`no ${kind} price in force`);
      return row.amountFen;
    },
  };
}
