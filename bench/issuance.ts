/**
 * Issuance through the CA service — signed, stored, audited — in certificates/s, P-256 and SM2
 * (part of `npm run bench`; alone: `npx tsx bench/issuance.ts`), on PGlite and, when DATABASE_URL
 * is set, on PostgreSQL:
 *  - batch: issueBatch of 500 public keys in one call (bulk issuance), the yardstick;
 *  - 200 concurrent single requests: 200 callers at once, each issueBatch of one key — the same
 *    work per certificate as the batch, each caller its own request (what group commit is for;
 *    the goal is ≥ 0.8× the batch);
 *  - 200 concurrent 签发证书 from CSRs: issueForApplication for 200 applications in 制证中 at once,
 *    as holders renewing at a deadline would ask — the CSR's signature checked, and for SM2 the
 *    dual pair (two certificates, the encryption key made, archived and enveloped);
 *  - one request at a time: each waits for the one before (one transaction each);
 *  - `openssl speed` sign/s of the same curve, measured in the same run.
 * Subject keys and CSRs are made beforehand (they come from USB keys).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import type { Principal } from '../src/domain/principal.ts';
import { openCaModule, type CaModule } from '../src/modules/ca/index.ts';
import { generateKey } from '../src/pki/keys.ts';
import type { KeyFamily } from '../src/pki/signer.ts';
import { newCsr } from '../test/support/csr.ts';
import { applicationsIn, scenarioApplicant } from '../test/support/bulk-applications.ts';
import { opensslSignRate } from './openssl-speed.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const CONCURRENT = 200;
const PASSPHRASE = 'bench-ca-passphrase';
const system = { kind: 'system' as const, id: 'bench' };
const producer: Principal = { kind: 'staff', id: '00000000-0000-4000-8000-000000000001', username: 'bench-producer', roles: ['producer'] };
const unit = { org: '内蒙古测试科技有限公司', uscc: '91150100MA0N000001' };

/** Runs `round` (which issues some certificates and says how many) again and again for SECONDS; certificates/s and rounds/s. */
async function rate(round: () => Promise<number>): Promise<{ certs: number; rounds: number }> {
  await round(); // warm-up
  let certs = 0;
  let rounds = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    certs += await round();
    rounds++;
  }
  const seconds = (performance.now() - started) / 1000;
  return { certs: certs / seconds, rounds: rounds / seconds };
}

interface FamilyFigures {
  batch: number;
  concurrent: number;
  fromCsr: number;
  fromCsrRequests: number;
  oneAtATime: number;
  openssl: number;
}

async function measureFamily(ca: CaModule, family: KeyFamily, applicationIds: string[]): Promise<FamilyFigures> {
  const keys = Array.from({ length: 500 }, () => ({ spki: generateKey(family).signer.spki, ...unit }));
  const csrs = applicationIds.map(() => newCsr(family).pem);
  const batch = await rate(async () => (await ca.ca.issueBatch(system, family, keys)).length);
  const concurrent = await rate(async () => {
    const issued = await Promise.all(keys.slice(0, CONCURRENT).map((k) => ca.ca.issueBatch(system, family, [k])));
    return issued.length;
  });
  const fromCsr = await rate(async () => {
    const results = await Promise.all(
      applicationIds.map((id, i) => ca.ca.issueForApplication(producer, id, { mode: 'csr', csrPem: csrs[i]!, usbKeySerial: `BENCH${i}` })),
    );
    return results.reduce((n, r) => n + r.certificates.length, 0);
  });
  let next = 0;
  const oneAtATime = await rate(async () => (await ca.ca.issueBatch(system, family, [keys[next++ % keys.length]!])).length);
  return {
    batch: batch.certs,
    concurrent: concurrent.certs,
    fromCsr: fromCsr.certs,
    fromCsrRequests: fromCsr.rounds * CONCURRENT,
    oneAtATime: oneAtATime.certs,
    openssl: opensslSignRate(family === 'p256' ? 'ecdsap256' : 'sm2'),
  };
}

async function benchDatabase(label: string, databaseUrl: string | undefined): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'certdesk-issuance-bench-'));
  try {
    const config = loadConfig({
      CERTDESK_MODE: 'development',
      LOG_LEVEL: 'warn',
      DATA_DIR: work,
      CA_KEYSTORE_DIR: path.join(work, 'ca-keys'),
      CA_KEY_PASSPHRASE: PASSPHRASE,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    });
    const database = await openDatabase(config.database);
    try {
      await database.migrate();
      const now = new Date();
      const ca = await openCaModule({ config, db: database.db, derivedPassphrase: PASSPHRASE, clock: () => new Date(), log: pino({ level: 'silent' }), actor: system });
      const holder = await scenarioApplicant(database.db, `139${String(Date.now()).slice(-8)}`, now);
      const applicationIds = (await applicationsIn(database.db, holder, 'in_production', CONCURRENT, now)).map((a) => a.id);
      const figures = { p256: await measureFamily(ca, 'p256', applicationIds), sm2: await measureFamily(ca, 'sm2', applicationIds) };
      await ca.close();
      printTable(label, figures);
    } finally {
      await database.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function printTable(label: string, f: Record<KeyFamily, FamilyFigures>): void {
  const n = (v: number) => v.toFixed(0);
  const r = (v: number, of: number) => `${(v / of).toFixed(2)}×`;
  const rows: [string, string, string][] = [
    ['certificates/s', 'P-256', 'SM2'],
    ['batch of 500 (issueBatch)', n(f.p256.batch), n(f.sm2.batch)],
    [`${CONCURRENT} concurrent single requests, key given`, n(f.p256.concurrent), n(f.sm2.concurrent)],
    ['  ratio to batch (goal ≥ 0.80×)', r(f.p256.concurrent, f.p256.batch), r(f.sm2.concurrent, f.sm2.batch)],
    [`${CONCURRENT} concurrent CSR requests (issueForApplication)`, n(f.p256.fromCsr), n(f.sm2.fromCsr)],
    ['  requests/s (SM2: two certificates each)', n(f.p256.fromCsrRequests), n(f.sm2.fromCsrRequests)],
    ['  ratio to batch', r(f.p256.fromCsr, f.p256.batch), r(f.sm2.fromCsr, f.sm2.batch)],
    ['one request at a time', n(f.p256.oneAtATime), n(f.sm2.oneAtATime)],
    ['openssl speed sign/s (same run)', n(f.p256.openssl), n(f.sm2.openssl)],
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c]!.length)));
  console.log(`\nCA issuance through the service (signed, stored, audited), ${label}, ${SECONDS}s each, ${new Date().toISOString()}`);
  for (const row of rows) console.log(`${row[0].padEnd(widths[0]!)}  ${row[1].padStart(widths[1]!)}  ${row[2].padStart(widths[2]!)}`);
}

await benchDatabase('PGlite', undefined);
const pgUrl = process.env['DATABASE_URL'];
if (pgUrl) await benchDatabase('PostgreSQL', pgUrl);
