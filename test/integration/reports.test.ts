/**
 * 运营看板 on a real app and database: a known week of business (support/reports-history.ts) gives
 * exact figures — per day in Beijing time, the funnel, review and production turnaround against the
 * 制证周期, money in and out, certificates, renewal rate — the exports' totals equal the database's
 * sums and the dashboard's, and only 管理员 and 财务 see any of it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../src/http/contract.ts';
import { movableClock, startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/http.ts';
import * as caRepo from '../../src/modules/ca/repository.ts';
import { bj, NOW, PERIOD, seedReportsHistory } from '../support/reports-history.ts';
import { staffSession } from '../support/staff.ts';

const clock = movableClock();
let t: TestApp;
let finance: TestClient;
let waitingId: string;
const q = `from=${PERIOD.from}&to=${PERIOD.to}`;

beforeAll(async () => {
  t = await startTestApp({ clock: clock.now });
  // Started at the real time (the run's template CAs), then back to the history's Monday.
  clock.advance((NOW.getTime() - clock.now().getTime()) / 1000);
  ({ waiting: { id: waitingId } } = await seedReportsHistory(t));
  finance = (await staffSession(t, ['finance'])).client;
});
afterAll(async () => {
  await t?.close();
});

async function download(client: TestClient, path: string) {
  const res = await fetch(t.url + path, { headers: client.cookie ? { cookie: client.cookie } : {} });
  return { status: res.status, type: res.headers.get('content-type'), data: Buffer.from(await res.arrayBuffer()) };
}

async function scalar(query: ReturnType<typeof sql>): Promise<number> {
  const result = await t.certdesk.database.db.execute(query);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: number | string }[];
  return Number(rows[0]!.n);
}

describe('运营看板', () => {
  it('gives the week its exact figures', async () => {
    const res = await finance.get<Dashboard>(`/api/reports/dashboard?${q}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const d = res.body;
    expect(d.period.days).toEqual(['2024-04-01', '2024-04-02', '2024-04-03', '2024-04-04', '2024-04-05', '2024-04-06', '2024-04-07']);

    // Submitted in the week (first 提交, by its Beijing date), by kind and status now.
    expect(d.applications.total).toBe(7);
    expect(d.applications.byDay.map((r) => [r.day, r.kindLabel, r.statusLabel, r.count])).toEqual([
      ['2024-04-01', '新办', '已完成', 1],
      ['2024-04-02', '新办', '待自取', 1],
      ['2024-04-03', '新办', '资料审核通过', 1],
      ['2024-04-03', '新办', '制证中', 1],
      ['2024-04-05', '新办', '已退款', 1],
      ['2024-04-06', '续期', '已完成', 1],
      ['2024-04-07', '新办', '待审核', 1],
    ]);
    expect(d.applications.byKind.map((k) => [k.label, k.count])).toEqual([
      ['新办', 6],
      ['续期', 1],
    ]);
    expect(d.funnel.map((s) => [s.label, s.count])).toEqual([
      ['提交', 7],
      ['审核通过', 6],
      ['已支付', 5],
      ['制证中', 4],
      ['已发出', 3],
      ['已完成', 2],
    ]);

    // 审核通过 of the week, since the (re)submission each answered: 1, 2, 4, 8 (after 再次提交), 1, 2
    // hours; the 续期's 自动审核通过 is no review.
    expect(d.review).toMatchObject({ count: 6, medianHours: 2, p90Hours: 6, pending: 2, waitLimitHours: 24, overdue: 1 });
    expect(d.review.overdueItems.map((w) => [w.id, w.waitedHours])).toEqual([[waitingId, 25]]);
    // Paid → dispatched: 24 h (邮寄), 72 h (通知自取), 10 min (在线领取); one paid order past 2 days.
    expect(d.production).toMatchObject({ count: 3, medianHours: 24, p90Hours: 62.4, cycleHours: 48, withinCycle: 2, openOverdue: 1 });

    expect(d.revenue).toMatchObject({ count: 5, totalFen: 94_000 });
    expect(d.revenue.byDay).toEqual([
      { day: '2024-04-01', totalFen: 19_500, bankTransferFen: 19_500, wechatFen: 0 },
      { day: '2024-04-02', totalFen: 19_500, bankTransferFen: 0, wechatFen: 19_500 },
      { day: '2024-04-03', totalFen: 19_500, bankTransferFen: 19_500, wechatFen: 0 },
      { day: '2024-04-05', totalFen: 19_500, bankTransferFen: 0, wechatFen: 19_500 },
      { day: '2024-04-06', totalFen: 16_000, bankTransferFen: 0, wechatFen: 16_000 },
    ]);
    expect(d.revenue.byMethod.map((m) => [m.label, m.count, m.totalFen])).toEqual([
      ['银行汇款', 2, 39_000],
      ['微信支付', 3, 55_000],
    ]);
    expect(Object.fromEntries(d.revenue.byProject.map((p) => [p.name, [p.count, p.totalFen]]))).toEqual({
      内蒙古自治区电子税务局: [4, 74_500],
      内蒙古自治区政府采购云平台: [1, 19_500],
    });
    expect(d.refunds).toMatchObject({ count: 1, totalFen: 19_500, settledFen: 0, openFen: 19_500 });
    expect(d.netFen).toBe(74_500);

    expect(d.certificates).toEqual({ valid: 5, expiring30: 1, expiring90: 2, revoked: 1, issued: 4, revokedInPeriod: 1 });
    expect(d.certificatesAsOf).toBe(d.generatedAt);
    expect(d.renewal).toEqual({ due: 2, renewed: 1, rate: 0.5 });

    // Another period, another limit: two days, 48 hours.
    const two = (await finance.get<Dashboard>('/api/reports/dashboard?from=2024-04-01&to=2024-04-02&waitLimitHours=48')).body;
    expect([two.applications.total, two.revenue.totalFen, two.review.overdue, two.production.count]).toEqual([2, 39_000, 0, 1]);
  });

  it('exports rows whose totals are the database sums and the dashboard figures', async () => {
    const d = (await finance.get<Dashboard>(`/api/reports/dashboard?${q}`)).body;
    const start = new Date(`${PERIOD.from}T00:00:00+08:00`);
    const end = new Date(`2024-04-08T00:00:00+08:00`);

    // 申请 as CSV: one line per application submitted, and the total of their prices.
    const csv = await download(finance, `/api/reports/export/applications?${q}&format=csv`);
    expect(csv.type).toContain('text/csv');
    const lines = csv.data.toString('utf8').replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(1 + d.applications.total + 1);
    const priceFen = await scalar(sql`SELECT sum(price_fen) AS n FROM applications WHERE submitted_at >= ${start} AND submitted_at < ${end}`);
    expect(priceFen).toBe(133_000);
    expect(lines.at(-1)).toContain(`合计（${PERIOD.from} 至 ${PERIOD.to}，7 份）`);
    expect(lines.at(-1)).toContain('1330.00');

    // 收款与退款 as Excel: received less refunded, as the dashboard's net.
    const xlsx = await download(finance, `/api/reports/export/payments?${q}`);
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.data as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('收款与退款')!;
    const amounts: number[] = [];
    sheet.eachRow((r, n) => {
      if (n > 1) amounts.push(Number(r.getCell(7).value));
    });
    const total = amounts.pop();
    expect(amounts).toHaveLength(d.revenue.count + d.refunds.count);
    expect(Math.round(amounts.reduce((a, b) => a + b, 0) * 100)).toBe(d.netFen);
    expect(Math.round(total! * 100)).toBe(d.netFen);
    const received = await scalar(sql`SELECT sum(amount_fen) AS n FROM payments WHERE paid_at >= ${start} AND paid_at < ${end}`);
    const refunded = await scalar(sql`SELECT sum(amount_fen) AS n FROM refunds WHERE created_at >= ${start} AND created_at < ${end}`);
    expect([received, refunded]).toEqual([d.revenue.totalFen, d.refunds.totalFen]);

    // 证书: those issued in the week, the encryption certificate of a pair not counted twice.
    const certs = await download(finance, `/api/reports/export/certificates?${q}&format=csv`);
    const certLines = certs.data.toString('utf8').split('\r\n').filter(Boolean);
    expect(certLines).toHaveLength(1 + d.certificates.issued + 1);
    expect(certLines.at(-1)).toContain('4 张，其中已吊销 1 张');
  });

  // After the figures and the exports: it adds a certificate to the week.
  it('takes the certificates "now" at most once a minute, says when, and reads the period afresh', async () => {
    const before = (await finance.get<Dashboard>(`/api/reports/dashboard?${q}`)).body;
    const cert = (created: string, notAfter: string) => ({
      serialHex: randomBytes(16).toString('hex').replace(/^0+/, ''),
      issuerCaId: randomUUID(),
      applicationId: randomUUID(),
      family: 'sm2' as const,
      profile: 'unitSigning',
      subjectOrg: '呼和浩特市测试科技有限公司',
      subjectCn: '呼和浩特市测试科技有限公司',
      subjectUscc: '91150100MA0N000000',
      notBefore: bj(created),
      notAfter: bj(notAfter),
      der: new Uint8Array([0x30, 0x00]),
      status: 'valid' as const,
      issuedBy: 'test',
      createdAt: bj(created),
    });
    // Issued in the week (counted at once), in force and ending in 54 days (counted with the next snapshot).
    await t.certdesk.database.db.transaction((tx) => caRepo.insertCertificates(tx, [cert('04-07 12:00', '06-01 10:00')]));

    clock.advance(59);
    const soon = (await finance.get<Dashboard>(`/api/reports/dashboard?${q}`)).body;
    expect(soon.certificatesAsOf).toBe(before.certificatesAsOf);
    expect(soon.generatedAt).toBe(clock.now().toISOString());
    expect(soon.certificates).toEqual({ ...before.certificates, issued: 5 });

    clock.advance(1);
    const later = (await finance.get<Dashboard>(`/api/reports/dashboard?${q}`)).body;
    expect(later.certificatesAsOf).toBe(clock.now().toISOString());
    expect(later.certificates).toEqual({ valid: 6, expiring30: 1, expiring90: 3, revoked: 1, issued: 5, revokedInPeriod: 1 });
  });

  it('is for 管理员 and 财务 only', async () => {
    const admin = (await staffSession(t, ['admin'])).client;
    expect((await admin.get(`/api/reports/dashboard?${q}`)).status).toBe(200);
    expect((await download(admin, `/api/reports/export/certificates?${q}`)).status).toBe(200);
    for (const role of ['reviewer', 'producer'] as const) {
      const other = (await staffSession(t, [role])).client;
      expect((await other.get(`/api/reports/dashboard?${q}`)).status).toBe(403);
      expect((await download(other, `/api/reports/export/payments?${q}`)).status).toBe(403);
    }
    expect((await fetch(`${t.url}/api/reports/dashboard?${q}`)).status).toBe(401);
    expect((await finance.get('/api/reports/dashboard?from=2024-04-07&to=2024-04-01')).status).toBe(400);
  });
});
