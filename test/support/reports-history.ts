/**
 * A week of the CA's business, 04-01 to 04-07 of a year (Beijing; 2024 unless told), whose 运营看板 figures are known
 * exactly: nine applications with their histories (applicationWithHistory: each event at its time,
 * with its audit record, payment and refund rows) and ten certificates of units (nine signing, one encryption). Far from the
 * present, so that a shared PostgreSQL's other tests' rows (made now) fall outside both the period
 * and the figures "as of now" — with the app's clock at NOW below. reports.test.ts and
 * dashboard.test.ts (the browser) read the same history.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as caRepo from '../../src/modules/ca/repository.ts';
import type { TestApp } from './app.ts';
import { randomPhone } from './app.ts';
import { applicationWithHistory, scenarioApplicant } from './bulk-applications.ts';

/** A Beijing time: '04-02 07:00' is 2024-04-02 07:00 +08; a full date for other years. */
const bjOf = (year: number) => (t: string) => new Date(`${t.length <= 11 ? `${year}-${t}` : t}:00+08:00`.replace(' ', 'T'));
/**
 * The history in `year` (its certificates run from the year before to the year after): on a shared
 * PostgreSQL, two suites that seed it each take their own year, at least four apart, so that
 * neither's figures "as of now" (valid, revoked …) count the other's rows.
 */
export function reportsHistory(year: number) {
  const bj = bjOf(year);
  /** The app's "now" for the history: 04-08 10:00 in Beijing (a Monday in 2024). */
  const NOW = bj('04-08 10:00');
  const PERIOD = { from: `${year}-04-01`, to: `${year}-04-07` } as const;
  return { year, bj, NOW, PERIOD, seed: (t: TestApp) => seed(t, year) };
}

/** reports.test.ts's: 2024. */
const history2024 = reportsHistory(2024);
export const { bj, NOW, PERIOD } = history2024;
export const seedReportsHistory = history2024.seed;

async function seed(t: TestApp, year: number) {
  const bj = bjOf(year);
  const db = t.certdesk.database.db;
  const applicant = await scenarioApplicant(db, randomPhone(), bj('03-01 09:00'));
  const life = (steps: [Parameters<typeof applicationWithHistory>[2][number][0], string][], options: Parameters<typeof applicationWithHistory>[3] = {}) =>
    applicationWithHistory(db, applicant, steps.map(([event, at]) => [event, bj(at)] as const), options);

  // Submitted 03-31 23:30 Beijing (15:30 UTC): before the period; its 审核通过 (1 h) is in it.
  await life([['submit', '03-31 23:30'], ['approve', '04-01 00:30']]);
  const a1 = await life([
    ['submit', '04-01 09:00'],
    ['approve', '04-01 11:00'],
    ['submit_voucher', '04-01 12:00'],
    ['confirm_payment', '04-01 14:00'],
    ['start_production', '04-02 09:00'],
    ['ship', '04-02 14:00'],
    ['confirm_receipt', '04-04 10:00'],
  ]);
  // Submitted 07:00 Beijing, still 04-01 in UTC: a day of 04-02.
  await life(
    [
      ['submit', '04-02 07:00'],
      ['approve', '04-02 11:00'],
      ['pay_online', '04-02 15:00'],
      ['start_production', '04-03 09:00'],
      ['ready_for_pickup', '04-05 15:00'],
    ],
    { projectId: 'nmg-gov-procurement' },
  );
  await life([
    ['submit', '04-03 09:00'],
    ['return', '04-03 15:00'],
    ['resubmit', '04-04 09:00'],
    ['approve', '04-04 17:00'],
  ]);
  await life([
    ['submit', '04-03 08:00'],
    ['approve', '04-03 10:00'],
    ['submit_voucher', '04-03 11:00'],
    ['confirm_payment', '04-03 12:00'],
    ['start_production', '04-04 09:00'],
  ]);
  await life([
    ['submit', '04-05 08:00'],
    ['approve', '04-05 09:00'],
    ['pay_online', '04-05 10:00'],
    ['refund', '04-06 10:00'],
  ]);
  const a8 = await life(
    [
      ['submit', '04-06 10:00'],
      ['auto_approve', '04-06 10:00'],
      ['pay_online', '04-06 11:00'],
      ['issue_online', '04-06 11:05'],
      ['complete_online', '04-06 11:10'],
    ],
    { kind: 'renewal', priceFen: 16_000 },
  );
  const waiting = await life([['submit', '04-07 09:00']]);
  await life([['submit', '04-08 09:00']]);

  // Units' certificates: [serial, created, notBefore, notAfter, extra].
  const issuerCaId = randomUUID();
  const serial = () => randomBytes(16).toString('hex').replace(/^0+/, '');
  const cert = (applicationId: string, created: string, notBefore: string, notAfter: string, extra: Partial<caRepo.NewCertificateRow> = {}) => ({
    serialHex: serial(),
    issuerCaId,
    applicationId,
    family: 'sm2' as const,
    profile: 'unitSigning',
    subjectOrg: '呼和浩特市测试科技有限公司',
    subjectCn: '呼和浩特市测试科技有限公司',
    subjectUscc: '91150100MA0N000000',
    notBefore: bj(notBefore),
    notAfter: bj(notAfter),
    der: new Uint8Array([0x30, 0x00]),
    status: 'valid' as const,
    issuedBy: 'test',
    createdAt: bj(created),
    ...extra,
  });
  const old = randomUUID();
  const c1 = cert(a1.id, '04-02 13:00', '04-02 13:00', `${year + 1}-04-02 13:00`);
  const c4 = cert(old, `${year - 1}-04-03 10:00`, `${year - 1}-04-03 10:00`, '04-03 10:00');
  const c3 = cert(old, `${year - 1}-06-20 10:00`, `${year - 1}-06-20 10:00`, '06-20 10:00');
  await db.transaction((tx) =>
    caRepo.insertCertificates(tx, [
      c1,
      // C1's encryption certificate: a dual pair counts once.
      cert(a1.id, '04-02 13:00', '04-02 13:00', `${year + 1}-04-02 13:00`, { profile: 'unitEncryption', pairSerialHex: c1.serialHex }),
      cert(old, `${year - 1}-04-25 10:00`, `${year - 1}-04-25 10:00`, '04-25 10:00'), // ends in 17 days
      c3, // ends in 73 days, renewed already
      cert(old, `${year - 1}-05-30 10:00`, `${year - 1}-05-30 10:00`, '05-30 10:00'), // ends in 52 days
      c4, // ended 04-03, renewed
      cert(a8.id, '04-06 11:05', '04-03 10:00', `${year + 1}-04-03 10:00`, { predecessorSerialHex: c4.serialHex }),
      cert(old, `${year - 1}-04-05 10:00`, `${year - 1}-04-05 10:00`, '04-05 10:00'), // ended 04-05, not renewed
      cert(old, '04-03 10:00', '04-03 10:00', `${year + 1}-04-03 10:00`, { status: 'revoked', revokedAt: bj('04-04 12:00'), revocationReason: 'keyCompromise' }),
      // C3's successor: starts where C3 ends.
      cert(old, '04-07 10:00', '06-20 10:00', `${year + 1}-06-20 10:00`, { predecessorSerialHex: c3.serialHex }),
    ]),
  );
  return { waiting };
}
