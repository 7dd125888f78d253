/**
 * reports: the 运营看板 for 管理员 and 财务 — the figures of a period of Beijing dates, computed
 * in SQL (repository.ts) and only labelled and folded here — and the exports behind them
 * (exports.ts), whose totals are the same queries' sums.
 */
import type { Db } from '../../db/database.ts';
import { funnelSteps, kindLabel, methodLabel, periodBounds, periodDays, PRODUCTION_CYCLE_HOURS, statusLabel, type Period } from '../../domain/reports.ts';
import type { CatalogueService } from '../catalogue/service.ts';
import { exportTable, type Dataset } from './exports.ts';
import * as repo from './repository.ts';
import type { Dashboard } from './schemas.ts';

export interface ReportsDeps {
  db: Db;
  clock: () => Date;
  catalogue: Pick<CatalogueService, 'projectNames'>;
  /** Hours 待审核 after which an application is listed as waiting too long. */
  reviewWaitLimitHours: number;
}

const HOUR = 3600_000;
/**
 * How long the certificates' figures "as of now" are served from memory (see dashboard()). A
 * dashboard's snapshot, as any operations dashboard keeps one: the page says when it was taken.
 */
export const CERTIFICATE_SNAPSHOT_MS = 60_000;
const toHours = (secs: number | null) => (secs === null ? null : Math.round((secs / 3600) * 100) / 100);
const spreadOf = (s: repo.Spread) => ({ count: s.n, medianHours: toHours(s.median), p90Hours: toHours(s.p90) });

/** The whole period's row of a GROUPING SETS answer (an empty period has one too: count 0). */
const totalOf = <S extends repo.Spread>(rows: S[]) => rows.find((r) => r.day === null) ?? ({ day: null, n: 0, median: null, p90: null, withinCycle: 0 } as unknown as S);
const daysOf = <S extends repo.Spread>(rows: S[]) => rows.filter((r): r is S & { day: string } => r.day !== null);

/** Adds `n` to the entry of `key`, made by `make` on first sight; the entries in first-seen order. */
function tally<K, V extends { count: number }>(rows: Iterable<[K, number, () => V, ((v: V) => void)?]>): V[] {
  const out = new Map<K, V>();
  for (const [key, n, make, add] of rows) {
    let v = out.get(key);
    if (!v) out.set(key, (v = make()));
    v.count += n;
    add?.(v);
  }
  return [...out.values()];
}

export function createReportsService({ db, clock, catalogue, reviewWaitLimitHours }: ReportsDeps) {
  // The certificates in force, ending within 30 / 90 days and revoked, as of now: the only figures
  // that read every certificate in force (some 90,000 a year's business leaves), and they do not
  // depend on the period. So, as a real dashboard does, they are taken at most once a minute per
  // process and served from memory meanwhile, with the time they were taken (certificatesAsOf: the
  // page's 数据更新于). Concurrent requests share one computation; a failed one is not kept; a clock
  // that went back (tests move theirs) takes a new one. Everything else — the period's figures, the
  // review waiting list and the overdue production, which read a few rows by index — is read afresh.
  let snapshot: { at: Date; figures: ReturnType<typeof repo.certificateSnapshot> } | undefined;
  const certificateSnapshot = (now: Date) => {
    const age = snapshot ? now.getTime() - snapshot.at.getTime() : -1;
    if (!snapshot || age < 0 || age >= CERTIFICATE_SNAPSHOT_MS) {
      const taken = { at: now, figures: repo.certificateSnapshot(db, now) };
      taken.figures.catch(() => {
        if (snapshot === taken) snapshot = undefined;
      });
      snapshot = taken;
    }
    return snapshot;
  };

  return {
    async dashboard(period: Period, waitLimitHours = reviewWaitLimitHours): Promise<Dashboard> {
      const [from, to] = periodBounds(period);
      const now = clock();
      const current = certificateSnapshot(now);
      // One connection on PGlite, a pool on PostgreSQL: the queries run side by side where they can.
      const [byDay, review, waiting, production, openOverdue, revenue, refunds, inForce, certificates, projects] = await Promise.all([
        repo.applicationsByDay(db, from, to),
        repo.reviewTurnaround(db, from, to),
        repo.reviewWaiting(db, now, new Date(now.getTime() - waitLimitHours * HOUR)),
        repo.productionTurnaround(db, from, to),
        repo.productionOverdue(db, new Date(now.getTime() - PRODUCTION_CYCLE_HOURS * HOUR)),
        repo.revenueByDay(db, from, to),
        repo.refundsByDay(db, from, to),
        current.figures,
        repo.certificatesInPeriod(db, from, to),
        catalogue.projectNames(),
      ]);
      const projectName = (id: string | null) => (id ? (projects.get(id) ?? id) : '未选择项目');

      const revenueDays = new Map<string, { day: string; totalFen: number; bankTransferFen: number; wechatFen: number }>();
      for (const r of revenue) {
        const d = revenueDays.get(r.day) ?? { day: r.day, totalFen: 0, bankTransferFen: 0, wechatFen: 0 };
        d.totalFen += r.fen;
        if (r.method === 'wechat') d.wechatFen += r.fen;
        else d.bankTransferFen += r.fen;
        revenueDays.set(r.day, d);
      }
      const revenueTotal = revenue.reduce((t, r) => t + r.fen, 0);
      const refundTotal = refunds.reduce((t, r) => t + r.fen, 0);
      const refundSettled = refunds.filter((r) => r.status === 'succeeded').reduce((t, r) => t + r.fen, 0);

      return {
        period: { ...period, days: periodDays(period) },
        generatedAt: now.toISOString(),
        applications: {
          total: byDay.reduce((t, r) => t + r.submitted, 0),
          byDay: byDay.map((r) => ({ day: r.day, kind: r.kind, kindLabel: kindLabel(r.kind), status: r.status, statusLabel: statusLabel(r.status), count: r.submitted })),
          byKind: tally(byDay.map((r) => [r.kind, r.submitted, () => ({ kind: r.kind, label: kindLabel(r.kind), count: 0 })])),
          byStatus: tally(byDay.map((r) => [r.status, r.submitted, () => ({ status: r.status, label: statusLabel(r.status), count: 0 })])),
        },
        funnel: funnelSteps.map((s) => ({ key: s.key, label: s.label, count: byDay.reduce((t, r) => t + r[s.key], 0) })),
        review: {
          ...spreadOf(totalOf(review)),
          byDay: daysOf(review).map((d) => ({ day: d.day, ...spreadOf(d) })),
          pending: waiting.pending,
          waitLimitHours,
          overdue: waiting.overdue,
          overdueItems: waiting.overdueItems.map((w) => ({
            id: w.id,
            number: w.number,
            kindLabel: kindLabel(w.kind),
            orgName: w.orgName,
            projectName: w.projectId ? projectName(w.projectId) : null,
            since: w.since.toISOString(),
            waitedHours: Math.floor(((now.getTime() - w.since.getTime()) / HOUR) * 10) / 10,
          })),
        },
        production: {
          ...spreadOf(totalOf(production)),
          byDay: daysOf(production).map((d) => ({ day: d.day, ...spreadOf(d) })),
          cycleHours: PRODUCTION_CYCLE_HOURS,
          withinCycle: totalOf(production).withinCycle,
          openOverdue,
        },
        revenue: {
          count: revenue.reduce((t, r) => t + r.n, 0),
          totalFen: revenueTotal,
          byDay: [...revenueDays.values()],
          byProject: tally(revenue.map((r) => [r.projectId, r.n, () => ({ projectId: r.projectId, name: projectName(r.projectId), count: 0, totalFen: 0 }), (v) => void (v.totalFen += r.fen)])),
          byMethod: tally(revenue.map((r) => [r.method, r.n, () => ({ method: r.method, label: methodLabel(r.method), count: 0, totalFen: 0 }), (v) => void (v.totalFen += r.fen)])),
        },
        refunds: {
          count: refunds.reduce((t, r) => t + r.n, 0),
          totalFen: refundTotal,
          settledFen: refundSettled,
          openFen: refundTotal - refundSettled,
          byDay: tally(refunds.map((r) => [r.day, r.n, () => ({ day: r.day, count: 0, totalFen: 0 }), (v) => void (v.totalFen += r.fen)])),
        },
        netFen: revenueTotal - refundTotal,
        certificates: {
          valid: inForce.valid,
          expiring30: inForce.expiring30,
          expiring90: inForce.expiring90,
          revoked: inForce.revoked,
          issued: certificates.issued,
          revokedInPeriod: certificates.revokedInPeriod,
        },
        certificatesAsOf: current.at.toISOString(),
        renewal: {
          ...certificates.renewal,
          rate: certificates.renewal.due === 0 ? null : Math.round((certificates.renewal.renewed / certificates.renewal.due) * 10_000) / 10_000,
        },
      };
    },

    /** The rows behind the figures of `dataset` for the period, with their totals. */
    async exportTable(dataset: Dataset, period: Period) {
      return exportTable(db, dataset, period, await catalogue.projectNames());
    },
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
