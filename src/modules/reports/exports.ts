/**
 * reports: the rows behind the 运营看板's figures for a period, as tables (Excel or CSV through
 * src/sheets/table-file.ts) — applications submitted, money received and refunded, certificates
 * issued — each with a totals row that adds up the same rows the dashboard's figures count.
 */
import type { Db } from '../../db/database.ts';
import { applicantTypeLabels, type ApplicantType } from '../../domain/application.ts';
import { refundStatusLabels, type RefundStatus } from '../../domain/lifecycles.ts';
import { paymentStatusLabels, type PaymentStatus } from '../../domain/payment.ts';
import { kindLabel, methodLabel, periodBounds, statusLabel, type Period } from '../../domain/reports.ts';
import { formatYuan } from '../../domain/money.ts';
import { beijingMinute, type Column, type TableFile } from '../../sheets/table-file.ts';
import * as repo from './repository.ts';

export const datasets = ['applications', 'payments', 'certificates'] as const;
export type Dataset = (typeof datasets)[number];
export const datasetLabels: Record<Dataset, string> = { applications: '申请', payments: '收款与退款', certificates: '证书' };

type ExportTable = TableFile<string>;

const col = (key: string, header: string, width?: number, money?: boolean): Column<string> => ({ key, header, width, money });

async function applications(db: Db, from: Date, to: Date, label: string, projects: Map<string, string>): Promise<ExportTable> {
  const rows = await repo.applicationRows(db, from, to);
  const fen = rows.reduce((t, r) => t + r.priceFen, 0);
  return {
    sheetName: '申请',
    columns: [
      col('submittedAt', '提交时间', 18),
      col('number', '申请编号', 20),
      col('kind', '申请类别', 10),
      col('applicantType', '申请类型', 10),
      col('orgName', '单位名称', 32),
      col('uscc', '统一社会信用代码', 22),
      col('project', '所属项目', 28),
      col('termYears', '服务年限', 10),
      col('price', '金额（元）', 12, true),
      col('status', '当前状态', 14),
    ],
    rows: rows.map((r) => ({
      submittedAt: beijingMinute(r.submittedAt),
      number: r.number,
      kind: kindLabel(r.kind),
      applicantType: applicantTypeLabels[r.applicantType as ApplicantType] ?? r.applicantType,
      orgName: r.orgName,
      uscc: r.uscc,
      project: r.projectId ? (projects.get(r.projectId) ?? r.projectId) : '',
      termYears: r.termYears,
      price: r.priceFen,
      status: statusLabel(r.status),
    })),
    totals: { submittedAt: `合计（${label}，${rows.length} 份）`, price: fen },
  };
}

async function payments(db: Db, from: Date, to: Date, label: string, projects: Map<string, string>): Promise<ExportTable> {
  const rows = await repo.moneyRows(db, from, to);
  const sum = (type: 'payment' | 'refund') => rows.filter((r) => r.type === type).reduce((t, r) => t + r.fen, 0);
  const receivedFen = sum('payment');
  const refundedFen = sum('refund');
  const received = rows.filter((r) => r.type === 'payment').length;
  return {
    sheetName: '收款与退款',
    columns: [
      col('at', '时间', 18),
      col('type', '类型', 8),
      col('number', '申请编号', 20),
      col('orgName', '单位名称', 32),
      col('project', '所属项目', 28),
      col('method', '支付方式', 10),
      col('amount', '金额（元）', 12, true),
      col('status', '状态', 10),
      col('note', '交易号 / 汇款识别码 / 退款原因', 30),
    ],
    rows: rows.map((r) => ({
      at: beijingMinute(r.at),
      type: r.type === 'payment' ? '收款' : '退款',
      number: r.number,
      orgName: r.orgName,
      project: r.projectId ? (projects.get(r.projectId) ?? r.projectId) : '',
      method: methodLabel(r.method),
      // A refund is money going out: negative, so the column adds up to what was kept.
      amount: r.type === 'payment' ? r.fen : -r.fen,
      status: r.type === 'payment' ? (paymentStatusLabels[r.status as PaymentStatus] ?? r.status) : (refundStatusLabels[r.status as RefundStatus] ?? r.status),
      note: r.note,
    })),
    totals: {
      at: `合计（${label}）`,
      type: `收款 ${received} 笔，退款 ${rows.length - received} 笔`,
      note: `收款 ${formatYuan(receivedFen)} 元，退款 ${formatYuan(refundedFen)} 元`,
      amount: receivedFen - refundedFen,
    },
  };
}

async function certificates(db: Db, from: Date, to: Date, label: string): Promise<ExportTable> {
  const rows = await repo.certificateRows(db, from, to);
  const revoked = rows.filter((r) => r.status === 'revoked').length;
  return {
    sheetName: '证书',
    columns: [
      col('createdAt', '签发时间', 18),
      col('serial', '证书序列号', 36),
      col('number', '申请编号', 20),
      col('org', '单位名称', 32),
      col('uscc', '统一社会信用代码', 22),
      col('family', '算法', 8),
      col('notBefore', '生效时间', 18),
      col('notAfter', '到期时间', 18),
      col('status', '状态', 8),
      col('revokedAt', '吊销时间', 18),
    ],
    rows: rows.map((r) => ({
      createdAt: beijingMinute(r.createdAt),
      serial: r.serialHex,
      number: r.number,
      org: r.subjectOrg,
      uscc: r.subjectUscc,
      family: r.family === 'sm2' ? 'SM2' : 'P-256',
      notBefore: beijingMinute(r.notBefore),
      notAfter: beijingMinute(r.notAfter),
      status: r.status === 'revoked' ? '已吊销' : '有效',
      revokedAt: beijingMinute(r.revokedAt),
    })),
    totals: { createdAt: `合计（${label}，${rows.length} 张，其中已吊销 ${revoked} 张）` },
  };
}

/** The table of `dataset` for the period. */
export async function exportTable(db: Db, dataset: Dataset, period: Period, projects: Map<string, string>): Promise<ExportTable> {
  const [from, to] = periodBounds(period);
  const label = `${period.from} 至 ${period.to}`;
  if (dataset === 'applications') return applications(db, from, to, label, projects);
  if (dataset === 'payments') return payments(db, from, to, label, projects);
  return certificates(db, from, to, label);
}
