/**
 * 到期提醒 (issue 15): an SMS at 90, 30, 7 and 0 days before a unit signing certificate ends —
 * exactly one per certificate and threshold with two instances on one PostgreSQL and a restart in
 * between, one only when the job ran late, none once the certificate is renewed or revoked, none
 * while a submitted renewal of it is under way, none after its day of expiry.
 *
 * Two instances need a PostgreSQL server (DATABASE_URL): PGlite's directory belongs to one process,
 * so on PGlite the same steps run on one instance, closed and reopened on its data directory.
 *
 * The clock starts 800 days in the past and stays there: on a shared PostgreSQL the windows these
 * runs look at never reach other suites' certificates (issued at the real time), nor their phones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates, simulatedSms } from '../../src/db/schema.ts';
import type { Principal } from '../../src/domain/principal.ts';
import * as apps from '../../src/modules/applications/repository.ts';
import { fireTransition } from '../../src/modules/applications/transitions.ts';
import { recordsOf } from '../../src/modules/audit/records.ts';
import * as authRepo from '../../src/modules/auth/repository.ts';
import * as caRepo from '../../src/modules/ca/repository.ts';
import { EXPIRY_REMINDER_CRON, EXPIRY_REMINDER_QUEUE } from '../../src/modules/notifications/expiry-reminders.ts';
import { applicantTimeline, staffTimeline } from '../../src/domain/timeline.ts';
import { movableClock, randomPhone, startTestApp, type TestApp } from '../support/app.ts';
import { company, person } from '../support/applicant.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const clock = movableClock(new Date(Date.now() - 800 * DAY));
const setClock = (at: Date) => clock.advance((at.getTime() - clock.now().getTime()) / 1000);

const shared = Boolean(process.env['DATABASE_URL']);
// PGlite: a data directory of its own, so the instance can be closed and opened again on it.
const dataDir = shared ? undefined : mkdtempSync(path.join(tmpdir(), 'certdesk-reminders-'));
let instances: TestApp[] = [];

/** Starts an instance; with `like`, on its database and its CA key store (a restart, or a second instance). */
function startInstance(like?: TestApp): Promise<TestApp> {
  const database = dataDir ? { database: { kind: 'pglite' as const, dataDir } } : {};
  return startTestApp({ clock: clock.now, config: like ? { database: like.config.database, ca: like.config.ca } : database });
}

beforeAll(async () => {
  const first = await startInstance();
  instances = shared ? [first, await startInstance(first)] : [first];
});
afterAll(async () => {
  await Promise.all(instances.map((i) => i.close()));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Closes the last instance and starts it again on the same database and keys. */
async function restart(): Promise<void> {
  const last = instances.pop()!;
  await last.close();
  instances.push(await startInstance(last));
}

/**
 * The job on every instance at once, at the clock's time: what each one's schedule runs. (What it
 * returns is not summed up here: on a shared database the count may include an earlier run's
 * certificates, and a scheduled run may have sent some first. The audit records say what each
 * certificate got.)
 */
async function runEverywhere(): Promise<void> {
  await Promise.all(instances.map((i) => i.certdesk.reminders.remindExpiring()));
}

const db = () => instances[0]!.certdesk.database.db;
const reviewer: Principal = { kind: 'staff', id: 'reminders-reviewer', username: 'reviewer', roles: ['reviewer'] };
const finance: Principal = { kind: 'staff', id: 'reminders-finance', username: 'finance', roles: ['finance'] };
const producer: Principal = { kind: 'staff', id: 'reminders-producer', username: 'producer', roles: ['producer'] };

interface Holder {
  phone: string;
  applicantId: string;
  applicationId: string;
  serial: string;
  notAfter: Date;
}

/**
 * A holder with an SM2 certificate (a dual pair: only the signing half is reminded of): the
 * application written through its repository and moved to 制证中 through the transition door
 * (the review and payment flows have their own suites), then issued by the CA service.
 */
async function holderWithCertificate(): Promise<Holder> {
  const t = instances[0]!;
  const phone = randomPhone();
  const now = clock.now();
  const { applicantId, applicationId } = await db().transaction(async (tx) => {
    const applicant = await authRepo.upsertApplicant(tx, phone, now);
    const holder: Principal = { kind: 'applicant', id: applicant.id, phone };
    let row = await apps.insertDraft(tx, {
      number: await apps.nextNumber(tx, now),
      applicantId: applicant.id,
      step: 'project_attachments',
      applicantType: 'enterprise',
      operatorName: person.name,
      operatorIdNumber: person.idNumber,
      operatorPhone: phone,
      operatorVerifiedAt: now,
      orgName: company.name,
      uscc: company.uscc,
      legalRepresentative: company.legalRepresentative,
      orgVerifiedAt: now,
      registryOutcome: 'match',
      projectId: 'nmg-etax',
      priceKind: 'first',
      priceFen: 195_00,
      createdAt: now,
      updatedAt: now,
    });
    row = await fireTransition(tx, row, 'submit', holder, now);
    row = await fireTransition(tx, row, 'approve', reviewer, now);
    row = await fireTransition(tx, row, 'submit_voucher', holder, now);
    row = await fireTransition(tx, row, 'confirm_payment', finance, now);
    row = await fireTransition(tx, row, 'start_production', producer, now);
    return { applicantId: applicant.id, applicationId: row.id };
  });
  const issued = await t.certdesk.ca.ca.issueForApplication(producer, applicationId, { mode: 'software', family: 'sm2' });
  expect(issued.certificates.map((c) => c.profile)).toEqual(['unitSigning', 'unitEncryption']);
  const signing = issued.certificates[0]!;
  return { phone, applicantId, applicationId, serial: signing.serialHex, notAfter: signing.notAfter };
}

/** A renewal of `h`'s certificate, in 草稿, as the 续期 path starts it. */
async function renewalDraft(h: Holder): Promise<string> {
  const now = clock.now();
  return db().transaction(async (tx) => {
    const row = await apps.insertDraft(tx, {
      number: await apps.nextNumber(tx, now),
      applicantId: h.applicantId,
      kind: 'renewal',
      concernsSerial: h.serial,
      step: 'identity',
      applicantType: 'enterprise',
      operatorName: person.name,
      operatorIdNumber: person.idNumber,
      operatorPhone: h.phone,
      operatorVerifiedAt: now,
      orgName: company.name,
      uscc: company.uscc,
      legalRepresentative: company.legalRepresentative,
      priceKind: 'renewal',
      priceFen: 160_00,
      createdAt: now,
      updatedAt: now,
    });
    return row.id;
  });
}

async function fire(id: string, h: Holder, event: 'submit' | 'cancel'): Promise<void> {
  await db().transaction(async (tx) => {
    const row = await apps.lockById(tx, id);
    await fireTransition(tx, row!, event, { kind: 'applicant', id: h.applicantId, phone: h.phone }, clock.now());
  });
}

/** 续期 done: the successor names the certificate as its predecessor (as the renewal's issuance writes it). */
async function renewed(h: Holder): Promise<void> {
  const old = await caRepo.certificateBySerial(db(), h.serial);
  const { id: _id, ...row } = old!;
  await db().transaction((tx) =>
    caRepo.insertCertificate(tx, {
      ...row,
      serialHex: `${h.serial.slice(0, 8)}${Date.now().toString(16)}`,
      predecessorSerialHex: h.serial,
      pairSerialHex: null,
      escrowedKey: null,
      // 服务年限 3: its own reminders come long after this suite's clock.
      notBefore: h.notAfter,
      notAfter: new Date(h.notAfter.getTime() + 3 * 365 * DAY),
      createdAt: clock.now(),
    }),
  );
}

/** The reminders audited on the holder's application (written in the transaction that queues the SMS). */
async function audited(h: Holder) {
  return (await recordsOf(db(), 'application', h.applicationId)).filter((r) => r.action === 'certificate.expiry_reminder');
}

/** The thresholds the holder was reminded at so far, in order. */
async function remindedAt(h: Holder): Promise<unknown[]> {
  return (await audited(h)).map((r) => r.data['thresholdDays']);
}

/** The 到期提醒 texts the SMS simulator received for the holder, oldest first, once `count` have arrived. */
async function remindersReceived(h: Holder, count: number): Promise<string[]> {
  for (let i = 0; ; i++) {
    const rows = await db()
      .select({ text: simulatedSms.text })
      .from(simulatedSms)
      .where(eq(simulatedSms.phone, h.phone))
      .orderBy(simulatedSms.seq);
    const texts = rows.map((r) => r.text).filter((text) => text.includes('到期'));
    if (texts.length >= count || i >= 100) return texts;
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** 2027年12月31日, as a holder in China reads the day. */
const chineseDay = (d: Date) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' }).format(d);

describe('到期提醒', () => {
  let main: Holder;
  let renewedOne: Holder;
  let revokedOne: Holder;
  let renewing: Holder;
  let renewal: string;
  /** When the certificates end (all issued together, a few seconds apart). */
  let end: Date;
  const at = (days: number) => new Date(end.getTime() + days * DAY + HOUR);

  beforeAll(async () => {
    main = await holderWithCertificate();
    renewedOne = await holderWithCertificate();
    revokedOne = await holderWithCertificate();
    renewing = await holderWithCertificate();
    renewal = await renewalDraft(renewing);
    end = main.notAfter;
  });

  it('is scheduled on the job queue', async () => {
    const schedules = await instances[0]!.certdesk.database.executeSql('SELECT cron, timezone FROM pgboss.schedule WHERE name = $1', [EXPIRY_REMINDER_QUEUE]);
    expect(schedules.rows).toEqual([{ cron: EXPIRY_REMINDER_CRON, timezone: 'Asia/Shanghai' }]);
  });

  it('sends one SMS per threshold on every instance together, across a restart; none once renewed, revoked or being renewed', async () => {
    const all = () => Promise.all([main, renewedOne, revokedOne, renewing].map(remindedAt));

    setClock(at(-100));
    await runEverywhere();
    expect(await all()).toEqual([[], [], [], []]);

    setClock(at(-90));
    await runEverywhere();
    await runEverywhere();
    // A renewal still in 草稿 does not stop them.
    expect(await all()).toEqual([[90], [90], [90], [90]]);
    const [first] = await remindersReceived(main, 1);
    expect(first).toBe(
      `【${instances[0]!.config.sms.signName}】${company.name}的单位数字证书（序列号${main.serial}）将于${chineseDay(end)}到期（剩余90天）。请登录数字证书在线受理平台，在“我的申请”点击“证书与印章”→“续期”在线办理，资料未变更的无需重新上传。`,
    );
    await fire(renewal, renewing, 'submit');
    await renewed(renewedOne);
    await instances[0]!.certdesk.ca.ca.revoke(producer, revokedOne.serial, 'cessationOfOperation');

    setClock(at(-60));
    await runEverywhere();
    setClock(at(-30));
    await runEverywhere();
    expect(await all()).toEqual([[90, 30], [90], [90], [90]]);

    await restart();
    // Cancelled, the renewal no longer stops them: the next threshold reached is told.
    await fire(renewal, renewing, 'cancel');

    setClock(at(-7));
    await runEverywhere();
    await runEverywhere();
    setClock(at(-3));
    await runEverywhere();
    expect(await all()).toEqual([[90, 30, 7], [90], [90], [90, 7]]);

    setClock(at(0));
    await runEverywhere();
    // After the day of expiry, nothing more.
    setClock(at(1));
    await runEverywhere();
    setClock(at(30));
    await runEverywhere();
    expect(await all()).toEqual([[90, 30, 7, 0], [90], [90], [90, 7, 0]]);

    // Exactly four. They arrive in any order: one queued before the restart leaves after it.
    const texts = await remindersReceived(main, 4);
    expect(texts.map((text) => Number(/剩余(\d+)天/.exec(text)?.[1])).sort((x, y) => y - x)).toEqual([90, 30, 7, 0]);
    expect(texts.every((text) => text.includes(`序列号${main.serial}`) && text.includes(`将于${chineseDay(end)}到期`))).toBe(true);
    expect(await remindersReceived(renewedOne, 1)).toHaveLength(1);
    expect(await remindersReceived(revokedOne, 1)).toHaveLength(1);
    expect(await remindersReceived(renewing, 3)).toHaveLength(3);
  });

  it('shows the reminders on the staff timeline, with the system as actor, and not on the applicant’s', async () => {
    const records = await recordsOf(db(), 'application', main.applicationId);
    const staff = staffTimeline(records, new Map()).filter((e) => e.title === '发送到期提醒');
    expect(staff).toHaveLength(4);
    expect(staff[0]).toMatchObject({ actor: '系统', statusLabel: null });
    expect(staff[0]!.detail).toContain(`剩余90天`);
    expect(applicantTimeline(records).map((e) => e.title)).not.toContain('发送到期提醒');
  });

  it('sends one reminder, not three, when the job comes late (the clock jumps from 100 days before to 5)', async () => {
    const late = await holderWithCertificate();
    const lateEnd = late.notAfter;
    setClock(new Date(lateEnd.getTime() - 100 * DAY));
    await runEverywhere();
    expect(await remindedAt(late)).toEqual([]);
    setClock(new Date(lateEnd.getTime() - 5 * DAY + HOUR));
    await runEverywhere();
    await runEverywhere();
    expect((await audited(late)).map((r) => [r.data['thresholdDays'], r.data['daysLeft']])).toEqual([[7, 5]]);
    expect((await remindersReceived(late, 1)).map((text) => /剩余(\d+)天/.exec(text)?.[1])).toEqual(['5']);

    setClock(new Date(lateEnd.getTime() + HOUR));
    await runEverywhere();
    expect(await remindedAt(late)).toEqual([7, 0]);
    expect(await remindersReceived(late, 2)).toHaveLength(2);
    // Only the signing certificate: its pair's encryption half is never reminded of.
    const pair = await db().select({ serial: certificates.serialHex }).from(certificates).where(eq(certificates.pairSerialHex, late.serial));
    expect(pair).toHaveLength(1);
    expect((await audited(late)).map((r) => r.data['serial'])).toEqual([late.serial, late.serial]);
  });
});
