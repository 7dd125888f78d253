/** reports' answers: the 运营看板 (see src/http/contract.ts). Money in fen, durations in hours. */
import { z } from 'zod';

const count = z.number().int();
const fen = z.number().int();
/** Hours, two decimals; null when nothing was measured. */
const hours = z.number().nullable();

const spread = z.object({ count, medianHours: hours, p90Hours: hours });
const dailySpread = spread.extend({ day: z.string() });

export const dashboard = z.object({
  period: z.object({ from: z.string(), to: z.string(), days: z.array(z.string()) }),
  generatedAt: z.string(),
  /** Submitted (first 提交) in the period, per Beijing day, by kind and by status now. */
  applications: z.object({
    total: count,
    byDay: z.array(z.object({ day: z.string(), kind: z.string(), kindLabel: z.string(), status: z.string(), statusLabel: z.string(), count })),
    byKind: z.array(z.object({ kind: z.string(), label: z.string(), count })),
    byStatus: z.array(z.object({ status: z.string(), label: z.string(), count })),
  }),
  /** Of those submitted in the period, how many reached each step. */
  funnel: z.array(z.object({ key: z.string(), label: z.string(), count })),
  review: spread.extend({
    byDay: z.array(dailySpread),
    /** 待审核 now, and those waiting longer than the limit (oldest first, at most 100 listed). */
    pending: count,
    waitLimitHours: z.number(),
    overdue: count,
    overdueItems: z.array(
      z.object({ id: z.string(), number: z.string(), kindLabel: z.string(), orgName: z.string().nullable(), projectName: z.string().nullable(), since: z.string(), waitedHours: z.number() }),
    ),
  }),
  production: spread.extend({
    byDay: z.array(dailySpread),
    /** The manual's 制证周期 (hours), how many were dispatched within it, and paid orders past it not yet dispatched. */
    cycleHours: z.number(),
    withinCycle: count,
    openOverdue: count,
  }),
  revenue: z.object({
    count,
    totalFen: fen,
    byDay: z.array(z.object({ day: z.string(), totalFen: fen, bankTransferFen: fen, wechatFen: fen })),
    byProject: z.array(z.object({ projectId: z.string().nullable(), name: z.string(), count, totalFen: fen })),
    byMethod: z.array(z.object({ method: z.string(), label: z.string(), count, totalFen: fen })),
  }),
  refunds: z.object({
    count,
    totalFen: fen,
    /** Paid back already, and still to pay back (待退款 / 退款中). */
    settledFen: fen,
    openFen: fen,
    byDay: z.array(z.object({ day: z.string(), count, totalFen: fen })),
  }),
  /** Received less refunded. */
  netFen: fen,
  /** The units' signing certificates: now (valid, expiring without a successor, revoked), and in the period. */
  certificates: z.object({ valid: count, expiring30: count, expiring90: count, revoked: count, issued: count, revokedInPeriod: count }),
  /** When the certificates' figures "now" (valid, expiring, revoked) were taken: at most a minute before generatedAt. */
  certificatesAsOf: z.string(),
  /** Of the certificates ending in the period, those renewed (a successor issued). Rate null when none ended. */
  renewal: z.object({ due: count, renewed: count, rate: z.number().nullable() }),
});
export type Dashboard = z.infer<typeof dashboard>;
