/**
 * The 管理员's use cases on the catalogue: 证书用途 (projects) and prices. Each change commits with
 * its audit record. Prices are never edited: a new row takes over from its effective time, so an
 * application keeps the price it was created with and the history says what applied when.
 */
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { prices, projects } from '../../db/schema.ts';
import type { ApplicantType } from '../../domain/application.ts';
import { AppError } from '../../domain/errors.ts';
import { MAX_PRICE_FEN } from '../../domain/money.ts';
import type { Principal } from '../../domain/principal.ts';
import { appendAudit } from '../audit/chain.ts';
import type { Project } from './service.ts';

export type { PriceKind } from '../../domain/aftersales.ts';
import { priceMayBeZero, type PriceKind } from '../../domain/aftersales.ts';

export interface ProjectInput {
  name: string;
  description: string;
  extraAttachments: Record<ApplicantType, string[]>;
  sortOrder: number;
  requiresSecondReview: boolean;
  renewalAutoReview: boolean;
}

export interface PriceView {
  id: number;
  kind: PriceKind;
  amountFen: number;
  effectiveFrom: Date;
  /** current: in force now; scheduled: takes over later; past: replaced. */
  state: 'current' | 'scheduled' | 'past';
}

/** A browser's clock may lag the server's a little: "now" from the form is not "in the past". */
const CLOCK_SKEW_MS = 5 * 60_000;

export type CatalogueAdmin = ReturnType<typeof createCatalogueAdmin>;

export function createCatalogueAdmin(db: Db, clock: () => Date) {
  const unknownProject = () => new AppError('PROJECT_NOT_FOUND', '项目不存在', 404);

  async function changeProject(actor: Principal, id: string, action: 'project.update' | 'project.activate' | 'project.deactivate', change: Partial<Project>, data: Record<string, unknown>) {
    return db.transaction(async (tx) => {
      const [row] = await tx.update(projects).set(change).where(eq(projects.id, id)).returning();
      if (!row) throw unknownProject();
      await appendAudit(tx, { at: clock(), actor, action, entityType: 'project', entityId: id, data });
      return row;
    });
  }

  return {
    /** Every project, inactive ones too, in the order applicants see them. */
    listProjects(): Promise<Project[]> {
      return db.select().from(projects).orderBy(asc(projects.sortOrder), asc(projects.id));
    },

    async createProject(actor: Principal, id: string, input: ProjectInput): Promise<Project> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(projects)
          .values({ id, ...input, active: true })
          .onConflictDoNothing({ target: projects.id })
          .returning();
        if (!row) throw new AppError('PROJECT_EXISTS', `项目标识“${id}”已存在，请换一个`, 409);
        await appendAudit(tx, { at: clock(), actor, action: 'project.create', entityType: 'project', entityId: id, data: { ...input } });
        return row;
      });
    },

    /** The id stays: applications refer to it. */
    updateProject(actor: Principal, id: string, input: ProjectInput): Promise<Project> {
      return changeProject(actor, id, 'project.update', input, { ...input });
    },

    /** An inactive project is no longer offered; applications that chose it keep it. */
    setProjectActive(actor: Principal, id: string, active: boolean): Promise<Project> {
      return changeProject(actor, id, active ? 'project.activate' : 'project.deactivate', { active }, { active });
    },

    /** Every price, newest effective first, each marked current, scheduled or past. */
    async priceHistory(): Promise<PriceView[]> {
      const now = clock();
      const rows = await db.select().from(prices).orderBy(desc(prices.effectiveFrom), desc(prices.id));
      const seen = new Set<PriceKind>();
      return rows.map((r) => {
        let state: PriceView['state'] = 'scheduled';
        if (r.effectiveFrom <= now) {
          state = seen.has(r.kind) ? 'past' : 'current';
          seen.add(r.kind);
        }
        return { ...r, state };
      });
    },

    /** A new price from `effectiveFrom` (now when absent). Earlier rows stay as they were. */
    async addPrice(actor: Principal, kind: PriceKind, amountFen: number, effectiveFrom?: Date): Promise<PriceView> {
      if (!Number.isInteger(amountFen) || amountFen < 0) throw new AppError('PRICE_INVALID', '价格不能小于0元');
      if (amountFen === 0 && !priceMayBeZero(kind)) throw new AppError('PRICE_INVALID', '价格必须大于0元（只有变更、补办可以免费）');
      if (amountFen > MAX_PRICE_FEN) throw new AppError('PRICE_INVALID', '价格不能超过100000元');
      const now = clock();
      if (effectiveFrom && effectiveFrom.getTime() < now.getTime() - CLOCK_SKEW_MS) {
        throw new AppError('PRICE_IN_PAST', '生效时间不能早于当前时间：已生效的价格不能修改，请设置现在或将来的时间');
      }
      const from = effectiveFrom && effectiveFrom > now ? effectiveFrom : now;
      return db.transaction(async (tx) => {
        const [clash] = await tx
          .select({ id: prices.id })
          .from(prices)
          .where(and(eq(prices.kind, kind), eq(prices.effectiveFrom, from)));
        if (clash) throw new AppError('PRICE_CLASH', '该生效时间已有同类价格，请选择其他时间', 409);
        const [row] = await tx.insert(prices).values({ kind, amountFen, effectiveFrom: from }).returning();
        if (!row) throw new Error('price insert returned nothing');
        await appendAudit(tx, {
          at: now,
          actor,
          action: 'price.add',
          entityType: 'price',
          entityId: String(row.id),
          data: { kind, amountFen, effectiveFrom: from.toISOString() },
        });
        return { ...row, state: from <= now ? 'current' : 'scheduled' };
      });
    },
  };
}
