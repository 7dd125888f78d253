/**
 * Storing what the CA signed: certificate rows and their audit records, committed in groups.
 * Requests that arrive together, or while a commit is in flight, go in one transaction — one
 * INSERT of certificates and one audit append (one lock, one read of the chain's head) for all of
 * them — so concurrent single issuances (renewals at a deadline, each holder one request) cost
 * about what one batch costs, on any number of instances (each groups its own; the audit lock
 * orders the groups).
 *
 * Each request keeps its own outcome: one whose application refuses it under the row lock (no
 * longer in 制证中) is refused alone while the others are stored, and a group whose transaction
 * fails is retried one request per transaction, so only the request at fault fails.
 */
import type { Db, Tx } from '../../db/database.ts';
import type { Succession } from '../../domain/aftersales.ts';
import type { Actor } from '../../domain/application.ts';
import { appendAuditBatch, type AuditEntry } from '../audit/chain.ts';
import * as applicationsRepo from '../applications/repository.ts';
import { recordPlatformEvent } from '../platforms/outbox.ts';
import type { LoadedCa } from './authority.ts';
import * as repo from './repository.ts';
import type { CertificateRow, NewCertificateRow } from './repository.ts';
import type { SignedCertificate } from './unit-issuance.ts';
import { subjectText } from './views.ts';

/** What we know of a certificate we just signed, without parsing it back (parsing costs more than signing). */
export interface Issued extends SignedCertificate {
  org: string;
  uscc: string;
  notBefore: Date;
  notAfter: Date;
  escrowedKey?: Uint8Array;
  /** 续期 / 变更 / 补办: the certificate of the same profile this one succeeds, and why. */
  predecessorSerialHex?: string;
  succession?: Succession;
}

/** One caller's certificates, stored together or not at all. */
export interface StoreRequest {
  actor: Actor;
  ca: LoadedCa;
  issued: readonly Issued[];
  /** How they were issued, as the audit record says: csr, software, cli, batch. */
  mode: string;
  usbKeySerial?: string;
  /**
   * Issued for this application: `admit` sees its row as locked in the commit's transaction
   * (undefined when it is gone) and throws to refuse — this request alone.
   */
  application?: { id: string; admit(row: applicationsRepo.ApplicationRow | undefined): void };
}

interface Pending {
  request: StoreRequest;
  resolve(rows: CertificateRow[]): void;
  reject(error: unknown): void;
}

type Outcome = { rows: CertificateRow[] } | { error: unknown };

/** A group stops growing at this many certificates (PostgreSQL takes at most 65,535 bind parameters per statement). */
const GROUP_CERTIFICATES = 1000;

function certificateRows(request: StoreRequest, at: Date): NewCertificateRow[] {
  const { ca, actor } = request;
  return request.issued.map((c) => ({
    serialHex: c.serialHex,
    issuerCaId: ca.id,
    applicationId: request.application?.id ?? null,
    family: ca.family,
    profile: c.profile,
    subjectOrg: c.org,
    subjectCn: c.org,
    subjectUscc: c.uscc,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    der: c.der,
    status: 'valid' as const,
    usbKeySerial: request.usbKeySerial ?? null,
    issuedBy: actor.id,
    pairSerialHex: c.pairSerialHex ?? null,
    escrowedKey: c.escrowedKey ?? null,
    predecessorSerialHex: c.predecessorSerialHex ?? null,
    succession: c.succession ?? null,
    createdAt: at,
  }));
}

function auditEntries(request: StoreRequest, rows: readonly NewCertificateRow[], at: Date): AuditEntry[] {
  const applicationId = request.application?.id;
  return rows.map((r) => ({
    at,
    actor: request.actor,
    action: 'certificate.issue',
    entityType: applicationId ? 'application' : 'certificate',
    entityId: applicationId ?? r.serialHex,
    data: {
      serial: r.serialHex,
      profile: r.profile,
      family: request.ca.family,
      mode: request.mode,
      subject: subjectText({ subjectOrg: r.subjectOrg ?? null, subjectCn: r.subjectCn, subjectUscc: r.subjectUscc ?? null }),
      issuer: request.ca.name,
      ...(request.usbKeySerial ? { usbKeySerial: request.usbKeySerial } : {}),
      ...(r.pairSerialHex ? { pairSerial: r.pairSerialHex } : {}),
      ...(r.escrowedKey ? { keyEscrowed: true } : {}),
      ...(r.predecessorSerialHex ? { predecessor: r.predecessorSerialHex } : {}),
    },
  }));
}

/** 已签发 (and 已续期 for a renewal's certificate), in the issuance's transaction: one event per signing certificate. */
async function tellPlatforms(tx: Tx, application: applicationsRepo.ApplicationRow, rows: readonly CertificateRow[], at: Date): Promise<void> {
  for (const r of rows) {
    if (r.profile !== 'unitSigning') continue;
    const certificate = {
      serial: r.serialHex,
      family: r.family,
      notBefore: r.notBefore.toISOString(),
      notAfter: r.notAfter.toISOString(),
      pairSerial: r.pairSerialHex,
      predecessorSerial: r.predecessorSerialHex,
      /** Why it succeeds its predecessor: renewed (续期), changed (变更), reissued (补办). */
      succession: r.succession,
    };
    await recordPlatformEvent(tx, { type: 'certificate.issued', application, at, data: { certificate } });
    // 已续期 for a renewal only: a 变更's or 补办's predecessor is revoked (已吊销 follows).
    if (r.predecessorSerialHex && r.succession === 'renewed') {
      await recordPlatformEvent(tx, { type: 'certificate.renewed', application, at, data: { certificate, renewedSerial: r.predecessorSerialHex } });
    }
  }
}

/** Stores `group` in one transaction of `tx`: the outcome of each request, by position. */
async function storeGroup(tx: Tx, group: readonly Pending[], at: Date): Promise<Outcome[]> {
  const applicationIds = [...new Set(group.flatMap((p) => (p.request.application ? [p.request.application.id] : [])))];
  const locked = new Map((await applicationsRepo.lockByIds(tx, applicationIds)).map((row) => [row.id, row]));
  const outcomes: (Outcome | undefined)[] = group.map((p) => {
    try {
      p.request.application?.admit(locked.get(p.request.application.id));
      return undefined;
    } catch (error) {
      return { error };
    }
  });
  const admitted = group.flatMap((p, i) => (outcomes[i] ? [] : [{ p, i, rows: certificateRows(p.request, at) }]));
  const stored = await repo.insertCertificates(tx, admitted.flatMap((a) => a.rows));
  await appendAuditBatch(tx, admitted.flatMap((a) => auditEntries(a.p.request, a.rows, at)));
  let next = 0;
  for (const a of admitted) {
    const rows = stored.slice(next, (next += a.rows.length));
    outcomes[a.i] = { rows };
    const application = a.p.request.application ? locked.get(a.p.request.application.id) : undefined;
    if (application) await tellPlatforms(tx, application, rows, at);
  }
  return outcomes as Outcome[];
}

export function createCertificateStore(deps: { db: Db; clock: () => Date }) {
  const { db, clock } = deps;
  const waiting: Pending[] = [];
  let committing = false;

  async function commit(group: Pending[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await db.transaction((tx) => storeGroup(tx, group, clock()));
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // Whatever failed the group (a serial taken meanwhile, a deadlock with another instance's
      // transaction, the database gone), each request now stands alone: only those at fault fail.
      for (const p of group) await commit([p]);
      return;
    }
    group.forEach((p, i) => {
      const outcome = outcomes[i]!;
      if ('rows' in outcome) p.resolve(outcome.rows);
      else p.reject(outcome.error);
    });
  }

  function nextGroup(): Pending[] {
    let count = 0;
    let n = 0;
    while (n < waiting.length && (n === 0 || count + waiting[n]!.request.issued.length <= GROUP_CERTIFICATES)) {
      count += waiting[n]!.request.issued.length;
      n++;
    }
    return waiting.splice(0, n);
  }

  async function drain(): Promise<void> {
    try {
      while (waiting.length > 0) await commit(nextGroup());
    } finally {
      committing = false;
    }
  }

  return {
    /** Stores one request's certificates with their audit records; the rows as stored. */
    store(request: StoreRequest): Promise<CertificateRow[]> {
      return new Promise((resolve, reject) => {
        waiting.push({ request, resolve, reject });
        // Nothing in flight: the commit starts once this turn of the event loop is over, so that
        // requests that arrived together go together; those that come while it runs, in the next.
        if (!committing) {
          committing = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}

export type CertificateStore = ReturnType<typeof createCertificateStore>;
