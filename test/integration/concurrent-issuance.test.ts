/**
 * Many holders at once: concurrent 签发证书 requests are stored by group commit (certificate-store.ts)
 * — several requests in one transaction with one audit append — and each still gets its own
 * answer: every good request its own certificates (its application's subject, its own serials),
 * stored and audited once each, the audit chain intact; a bad CSR fails that request alone. At the
 * store itself: a request its application refuses under the lock, or one whose serial is taken,
 * fails alone while the rest of its group is stored. With DATABASE_URL, two instances issue for
 * the same applications at once on one PostgreSQL.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, certificates } from '../../src/db/schema.ts';
import { assertWork, type ApplicationStatus } from '../../src/domain/application.ts';
import type { Principal } from '../../src/domain/principal.ts';
import { auditHead, verifyAuditChain } from '../../src/modules/audit/chain.ts';
import { createCertificateStore, type Issued, type StoreRequest } from '../../src/modules/ca/certificate-store.ts';
import { issueUnitCertificates } from '../../src/modules/ca/unit-issuance.ts';
import { parseCertificate } from '../../src/pki/certificate-info.ts';
import { verifyCsr } from '../../src/pki/csr.ts';
import { generateKey } from '../../src/pki/keys.ts';
import { profiles, unitSubject, validityEnd } from '../../src/pki/profiles.ts';
import { randomPhone, startTestApp, type TestApp } from '../support/app.ts';
import { csrPem, newCsr } from '../support/csr.ts';
import type { ErrorBody, TestClient } from '../support/http.ts';
import { applicationsIn, scenarioApplicant } from '../support/bulk-applications.ts';
import { staffSession } from '../support/staff.ts';

interface IssuedBody {
  certificates: { serialHex: string; subject: string; profile: string; family: string }[];
}

let t: TestApp;
let producer: TestClient;
let producerPrincipal: Principal;

beforeAll(async () => {
  t = await startTestApp();
  const staff = await staffSession(t, ['producer']);
  producer = staff.client;
  producerPrincipal = { kind: 'staff', id: staff.id, username: staff.username, roles: ['producer'] };
}, 120_000);

afterAll(async () => {
  await t?.close();
});

async function inProduction(count: number) {
  const holder = await scenarioApplicant(t.certdesk.database.db, randomPhone(), t.clock());
  return applicationsIn(t.certdesk.database.db, holder, 'in_production', count, t.clock());
}

async function issueRecordsOf(applicationIds: string[]) {
  return t.certdesk.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'certificate.issue'), inArray(auditLog.entityId, applicationIds)))
    .orderBy(asc(auditLog.id));
}

describe('concurrent 签发证书', () => {
  it('stores and audits every request of a burst once, each with its own certificates; a bad CSR fails alone', async () => {
    const apps = await inProduction(25);
    const head = await auditHead(t.certdesk.database.db);
    // 12 P-256 and 12 SM2 USB keys, and one request whose signature does not match its content.
    const bad = apps[24]!;
    const csrs = apps.slice(0, 24).map((_, i) => newCsr(i % 2 === 0 ? 'p256' : 'sm2').pem);
    const answers = await Promise.all([
      ...apps.slice(0, 24).map((a, i) =>
        producer.post<IssuedBody>(`/api/production/applications/${a.id}/certificates`, { mode: 'csr', csrPem: csrs[i], usbKeySerial: `KEY${i}` }),
      ),
      producer.post<ErrorBody>(`/api/production/applications/${bad.id}/certificates`, {
        mode: 'csr',
        csrPem: csrPem(generateKey('sm2'), 'USB Key', { tamper: true }),
        usbKeySerial: 'KEYBAD',
      }),
    ]);

    const refused = answers[24]!;
    expect(refused.status).toBe(400);
    expect((refused.body as ErrorBody).error).toMatchObject({ code: 'CSR_BAD_SIGNATURE', message: '证书请求签名无效' });

    const issued = answers.slice(0, 24) as { status: number; body: IssuedBody }[];
    for (const [i, answer] of issued.entries()) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      // P-256: the signing certificate; SM2: the dual pair.
      expect(answer.body.certificates.map((c) => c.profile)).toEqual(i % 2 === 0 ? ['unitSigning'] : ['unitSigning', 'unitEncryption']);
    }
    const serials = issued.flatMap((a) => a.body.certificates.map((c) => c.serialHex));
    expect(serials).toHaveLength(36);
    expect(new Set(serials).size).toBe(36);

    // Stored under their own applications, each certificate signed for its USB key's public key.
    const db = t.certdesk.database.db;
    for (const [i, a] of apps.slice(0, 24).entries()) {
      const rows = await db.select().from(certificates).where(eq(certificates.applicationId, a.id));
      expect(rows.map((r) => r.serialHex).sort()).toEqual(issued[i]!.body.certificates.map((c) => c.serialHex).sort());
      expect(rows.every((r) => r.usbKeySerial === `KEY${i}` && r.subjectUscc === a.uscc)).toBe(true);
      const signing = rows.find((r) => r.profile === 'unitSigning')!;
      expect(Buffer.from(parseCertificate(signing.der).spki).equals(Buffer.from(verifyCsr(csrs[i]!).spki))).toBe(true);
    }
    expect(await db.select().from(certificates).where(eq(certificates.applicationId, bad.id))).toHaveLength(0);

    // One audit record per certificate, on its application, and the chain holds.
    const records = await issueRecordsOf(apps.map((a) => a.id));
    expect(records.map((r) => (r.data as { serial: string }).serial).sort()).toEqual([...serials].sort());
    for (const r of records) {
      const owner = issued.findIndex((a) => a.body.certificates.some((c) => c.serialHex === (r.data as { serial: string }).serial));
      expect(r.entityId).toBe(apps[owner]!.id);
    }
    expect(await verifyAuditChain(db, 1000, head)).toMatchObject({ ok: true });
  }, 120_000);
});

describe('the certificate store', () => {
  /** A P-256 certificate signed for a new key, valid a year from now, for `applicationId`'s unit. */
  function signed(org: string, uscc: string): Issued {
    const ca = t.certdesk.ca.cas.issuing.p256;
    const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
    const notAfter = validityEnd(profiles.unitSigning, notBefore, 1);
    const unit = issueUnitCertificates(
      { subject: unitSubject(org, uscc), issuer: { signer: ca.signer, certificate: ca.certificate, caName: ca.name }, notBefore, notAfter, baseUrl: t.config.ca.baseUrl },
      { kind: 'csr', family: 'p256', spki: generateKey('p256').signer.spki },
    );
    return { ...unit.certificates[0]!, org, uscc, notBefore, notAfter };
  }

  it('fails only the request its application refuses under the lock, or whose serial is taken, and stores the rest of its group', async () => {
    const apps = await inProduction(8);
    const head = await auditHead(t.certdesk.database.db);
    // A clock that counts: the store reads it once per transaction, so the records' times tell the groups apart.
    let tick = Date.parse('2030-01-01T00:00:00Z');
    const store = createCertificateStore({ db: t.certdesk.database.db, clock: () => new Date((tick += 1000)) });
    const taken = (await t.certdesk.database.db.select({ serialHex: certificates.serialHex }).from(certificates).limit(1))[0]!.serialHex;
    const refusedId = apps[3]!.id;
    const request = (i: number, issued: Issued): StoreRequest => ({
      actor: producerPrincipal,
      ca: t.certdesk.ca.cas.issuing.p256,
      issued: [issued],
      mode: 'csr',
      application: {
        id: apps[i]!.id,
        // As issueForApplication's check, with application 3 seen as moved on (已邮寄) under the lock.
        admit(row) {
          if (!row) throw new Error('application gone');
          assertWork(row.id === refusedId ? ('shipped' as ApplicationStatus) : row.status, 'issue_certificate');
        },
      },
    });
    const requests = apps.map((a, i) => request(i, signed(a.orgName!, a.uscc!)));
    // Application 5's certificate carries a serial already stored: its INSERT fails the whole group.
    requests[5] = request(5, { ...signed(apps[5]!.orgName!, apps[5]!.uscc!), serialHex: taken });
    const outcomes = await Promise.allSettled(requests.map((r) => store.store(r)));

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'INVALID_STATUS', message: '当前状态为“已邮寄”，只有“制证中”的申请才能签发证书' });
    for (const [i, o] of outcomes.entries()) {
      if (o.status !== 'fulfilled') continue;
      expect(o.value.map((r) => r.serialHex)).toEqual(requests[i]!.issued.map((c) => c.serialHex));
      expect(o.value[0]!.applicationId).toBe(apps[i]!.id);
    }

    const stored = await t.certdesk.database.db.select().from(certificates).where(inArray(certificates.applicationId, apps.map((a) => a.id)));
    expect(stored.map((r) => r.applicationId).sort()).toEqual(apps.filter((_, i) => i !== 3 && i !== 5).map((a) => a.id).sort());
    const records = await issueRecordsOf(apps.map((a) => a.id));
    expect(records.map((r) => r.entityId).sort()).toEqual(stored.map((r) => r.applicationId).sort());
    // The eight arrived together and went as one group, which failed on the taken serial and was
    // retried one request per transaction: one time per record.
    const times = [...new Set(records.map((r) => r.at.getTime()))];
    expect(times.length).toBe(records.length);
    expect(await verifyAuditChain(t.certdesk.database.db, 1000, head)).toMatchObject({ ok: true });
  }, 120_000);

  it('puts requests that arrive together, or while a commit runs, in one transaction with one audit append', async () => {
    const apps = await inProduction(9);
    let tick = Date.parse('2031-01-01T00:00:00Z');
    const store = createCertificateStore({ db: t.certdesk.database.db, clock: () => new Date((tick += 1000)) });
    const issue = (a: (typeof apps)[number]) =>
      store.store({ actor: producerPrincipal, ca: t.certdesk.ca.cas.issuing.p256, issued: [signed(a.orgName!, a.uscc!)], mode: 'csr', application: { id: a.id, admit: () => undefined } });
    // Three together; once their commit has started, six more.
    const first = apps.slice(0, 3).map(issue);
    await new Promise((resolve) => setImmediate(resolve));
    const rows = await Promise.all([...first, ...apps.slice(3).map(issue)]);
    expect(rows.map((r) => r[0]!.applicationId)).toEqual(apps.map((a) => a.id));
    const records = await issueRecordsOf(apps.map((a) => a.id));
    // The store reads the clock once per transaction: two transactions, of three and six.
    const groups = new Map<number, string[]>();
    for (const r of records) groups.set(r.at.getTime(), [...(groups.get(r.at.getTime()) ?? []), r.entityId]);
    expect([...groups.values()].map((ids) => ids.sort())).toEqual([apps.slice(0, 3).map((a) => a.id).sort(), apps.slice(3).map((a) => a.id).sort()]);
  }, 120_000);
});

const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl) console.warn('concurrent-issuance: two instances skipped on PGlite — set DATABASE_URL to run them against PostgreSQL');

describe.skipIf(!databaseUrl)('two instances on one PostgreSQL', () => {
  let other: TestApp;
  let otherProducer: TestClient;

  beforeAll(async () => {
    other = await startTestApp();
    otherProducer = (await staffSession(other, ['producer'])).client;
  }, 120_000);
  afterAll(async () => {
    await other?.close();
  });

  it('issue for the same applications at once: every request stored and audited, the chain intact', async () => {
    const apps = await inProduction(12);
    const head = await auditHead(t.certdesk.database.db);
    const answers = await Promise.all(
      apps.flatMap((a, i) =>
        [producer, otherProducer].map((client, k) =>
          client.post<IssuedBody>(`/api/production/applications/${a.id}/certificates`, { mode: 'csr', csrPem: newCsr(i % 2 === 0 ? 'p256' : 'sm2').pem, usbKeySerial: `KEY${i}-${k}` }),
        ),
      ),
    );
    for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const serials = answers.flatMap((a) => a.body.certificates.map((c) => c.serialHex));
    const stored = await t.certdesk.database.db.select().from(certificates).where(inArray(certificates.applicationId, apps.map((a) => a.id)));
    expect(stored.map((r) => r.serialHex).sort()).toEqual([...serials].sort());
    const records = await issueRecordsOf(apps.map((a) => a.id));
    expect(records.map((r) => (r.data as { serial: string }).serial).sort()).toEqual([...serials].sort());
    expect(await verifyAuditChain(t.certdesk.database.db, 1000, head)).toMatchObject({ ok: true });
  }, 120_000);
});
