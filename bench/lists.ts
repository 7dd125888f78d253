/**
 * The holder's lists under load (part of `npm run bench`, see run.ts): 我的申请 (GET
 * /api/applications) and 证书与印章 (GET /api/applications/:id/artefacts, each produced application
 * in turn) on an account holding 50 applications and 50 certificates — 25 produced, each with an
 * SM2 dual pair (signing and encryption certificate) and its electronic seal, and 25 on the way
 * (待审核, 资料审核通过, 已支付). Goals: ≥ 0.15× the bare Fastify route, p99 ≤ 50 ms.
 *
 * The account is made before the measured server starts, by an instance of the platform in this
 * process on the same database and key store (the embedded database has one owner at a time),
 * through the services and the transition door the pages use.
 */
import pino from 'pino';
import { createCertDesk } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Principal } from '../src/domain/principal.ts';
import { SESSION_COOKIE } from '../src/http/session.ts';
import { newCsr } from '../test/support/csr.ts';
import { applicationsIn, scenarioApplicant } from '../test/support/bulk-applications.ts';
import { load, report, type Figures } from './http-load.ts';

export interface SeededHolder {
  cookie: string;
  /** The applications with certificates and a seal: 证书与印章 of each. */
  produced: string[];
}

const producer: Principal = { kind: 'staff', id: '00000000-0000-4000-8000-000000000002', username: 'bench-producer', roles: ['producer'] };

/** A holder with 50 applications and 50 certificates, made on the database `env` names; their session cookie. */
export async function seedHolder(env: Record<string, string>): Promise<SeededHolder> {
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
  const certdesk = await createCertDesk(config, { logger: pino({ level: 'silent' }) });
  try {
    const db = certdesk.database.db;
    const now = new Date();
    const holder = await scenarioApplicant(db, `137${String(Date.now()).slice(-8)}`, now);
    const produced = await applicationsIn(db, holder, 'in_production', 25, now);
    for (const [i, app] of produced.entries()) {
      await certdesk.ca.ca.issueForApplication(producer, app.id, { mode: 'csr', csrPem: newCsr('sm2').pem, usbKeySerial: `LIST${i}` });
      await certdesk.ca.seals.approve(holder, app.id);
      await certdesk.ca.seals.make(producer, app.id);
    }
    const later = new Date(now.getTime() + 1000);
    await applicationsIn(db, holder, 'pending_review', 5, later);
    await applicationsIn(db, holder, 'approved', 10, later);
    await applicationsIn(db, holder, 'paid', 10, later);
    const session = await db.transaction((tx) =>
      certdesk.auth.openSession(tx, 'applicant', holder.id, { ip: '127.0.0.1', userAgent: 'certdesk-bench', previousToken: undefined }, new Date()),
    );
    return { cookie: `${SESSION_COOKIE}=${session.token}`, produced: produced.map((a) => a.id) };
  } finally {
    await certdesk.close();
  }
}

/** Measures both lists of `holder` on the running server at `url`, beside `bare`. */
export async function benchLists(label: string, url: string, holder: SeededHolder, bare: Figures): Promise<void> {
  const headers = { cookie: holder.cookie };
  const goal = (f: Figures) => `  ${f.rps / bare.rps >= 0.15 && f.p99 <= 50 ? 'goal met' : 'GOAL MISSED'} (≥ 0.15×, p99 ≤ 50 ms)`;
  const list = `${url}/api/applications`;
  const artefacts = holder.produced.map((id) => `${url}/api/applications/${id}/artefacts`);
  const first = (await (await fetch(list, { headers })).json()) as { items: unknown[] };
  const some = (await (await fetch(artefacts[0]!, { headers })).json()) as { certificates: unknown[] };
  if (first.items.length !== 50 || some.certificates.length !== 2) throw new Error('the holder does not hold what the benchmark expects');
  await load(list, headers); // warm-up
  const mine = await load(list, headers);
  report(`我的申请 (50 items) ${label}`, mine, bare, goal(mine));
  await load(artefacts, headers); // warm-up
  const theirs = await load(artefacts, headers);
  report(`证书与印章 (25 apps in turn) ${label}`, theirs, bare, goal(theirs));
}
