/**
 * The CA's use cases: issue (from a CSR, or a software certificate with a one-time PKCS#12
 * password; for SM2 a dual pair, see unit-issuance.ts), revoke (both certificates of a pair),
 * publish CRLs (on change and on a schedule), answer OCSP from the certificates table, recover an
 * escrowed key. The app and the CLI call these same functions. Who may ask is decided by the
 * routes and the application's status here; the signing itself is pki's.
 */
import type { Logger } from 'pino';
import type { CaConfig } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { createOutageLog } from '../../db/outage-log.ts';
import { assertWork, type Actor } from '../../domain/application.ts';
import { AppError } from '../../domain/errors.ts';
import { issueCertificate, randomSerial, type IssuerRef } from '../../pki/certificate.ts';
import { buildCrl, type RevocationReason } from '../../pki/crl.ts';
import { serialToHex } from '../../pki/issuer.ts';
import { verifyCsr } from '../../pki/csr.ts';
import { createOcspResponder, type CertificateStatus, type OcspResponder } from '../../pki/ocsp.ts';
import { memoryOcspCache } from '../../pki/ocsp-cache.ts';
import type { KeyEscrow } from '../../pki/escrow.ts';
import { profiles, unitSubject, validityEnd } from '../../pki/profiles.ts';
import { daysLeft, daysLeftChangesAt, expiryLabels, expiryState, renewalStart, type RenewalPolicy } from '../../domain/renewal.ts';
import { successionOf, successorValidity } from '../../domain/aftersales.ts';
import type { KeyFamily } from '../../pki/signer.ts';
import { appendAudit } from '../audit/chain.ts';
import * as applicationsRepo from '../applications/repository.ts';
import { recordPlatformEvent } from '../platforms/outbox.ts';
import { familyLabels, type CaSet, type LoadedCa } from './authority.ts';
import * as repo from './repository.ts';
import { createCertificateStore, type Issued } from './certificate-store.ts';
import { issueUnitCertificates } from './unit-issuance.ts';

import type { RevocableReason } from './reasons.ts';
import type { CaObserver } from '../../metrics/metrics.ts';

export { revocableReasons, type RevocableReason } from './reasons.ts';

export type IssueInput =
  | { mode: 'csr'; csrPem: string; usbKeySerial: string }
  | { mode: 'software'; family: KeyFamily };

export interface IssueResult {
  certificates: repo.CertificateRow[];
  p12?: { base64: string; password: string; fileName: string };
  /** SM2 from a CSR: the encryption key's GM/T 0009 envelope, for the producer to write into the USB key. */
  envelope?: { base64: string; fileName: string };
}

export interface RevokeResult {
  certificate: repo.CertificateRow;
  /** The other certificate of a dual pair, revoked with it (absent when it was revoked already). */
  pair?: repo.CertificateRow;
}

export const caServiceErrors = {
  notFound: () => new AppError('NOT_FOUND', '申请不存在', 404),
  noOrganisation: () => new AppError('NO_ORGANISATION', '申请缺少已核验的单位名称或统一社会信用代码，无法签发证书', 409),
  certificateNotFound: () => new AppError('CERTIFICATE_NOT_FOUND', '证书不存在', 404),
  alreadyRevoked: () => new AppError('ALREADY_REVOKED', '该证书已吊销', 409),
  noEscrowedKey: () => new AppError('NO_ESCROWED_KEY', '该证书的私钥未由本 CA 托管（只有 SM2 加密证书的私钥托管）', 404),
  caNotFound: (name: string) => new AppError('CA_NOT_FOUND', `没有名为“${name}”的 CA`, 404),
  predecessorExpired: () => new AppError('PREDECESSOR_EXPIRED', '原证书已到期，不能再签发变更或补办证书，请重新申请（新办）', 409),
};

export interface CaServiceDeps {
  db: Db;
  cas: CaSet;
  config: CaConfig;
  clock: () => Date;
  log: Logger;
  /** The KM archive: where CA-generated encryption keys are sealed. */
  escrow: KeyEscrow;
  /** Told of issuance, revocation and OCSP answers (the metrics). */
  observer?: CaObserver;
}

/** How long a CRL stays current: at least a day, and at least twice the refresh interval. */
function crlLifetimeMs(config: CaConfig): number {
  return Math.max(24 * 3_600_000, 2 * config.crlRefreshMinutes * 60_000);
}

export function createCaService(deps: CaServiceDeps) {
  const { db, cas, config, clock, log } = deps;
  const cache = memoryOcspCache();
  const byKeyHash = new Map(cas.all.map((ca) => [ca.keyHash, ca]));
  const byName = new Map(cas.all.map((ca) => [ca.name, ca]));
  const byId = new Map(cas.all.map((ca) => [ca.id, ca]));
  const issuerRef = (ca: LoadedCa): IssuerRef => ({ signer: ca.signer, certificate: ca.certificate, caName: ca.name });
  const chainOf = (family: KeyFamily) => [cas.issuing[family].certificate, cas.roots[family].certificate];
  // Every issuance is stored through it: concurrent requests share a transaction (certificate-store.ts).
  const store = createCertificateStore({ db, clock });
  const certificateStore = {
    async store(request: Parameters<typeof store.store>[0]) {
      const rows = await store.store(request);
      deps.observer?.issued(rows);
      return rows;
    },
  };

  const lookup = async (keyHash: string, serialHex: string): Promise<CertificateStatus> => {
    const ca = byKeyHash.get(keyHash);
    if (!ca) return 'unknown';
    const row = await repo.statusOf(db, serialHex, [ca.id]);
    if (!row) return 'unknown';
    if (row.status === 'revoked' && row.revokedAt) {
      return { revokedAt: row.revokedAt, ...(row.reason ? { reason: row.reason as RevocationReason } : {}) };
    }
    return 'good';
  };
  const responder: OcspResponder = createOcspResponder({
    authorities: cas.all.map((ca) => ({ certificate: ca.certificate, signer: ca.signer })),
    lookup,
    cache,
    now: clock,
    ...(deps.observer ? { onAnswer: deps.observer.ocspAnswered } : {}),
  });

  async function publishCrl(ca: LoadedCa): Promise<repo.CrlRow> {
    const now = clock();
    return db.transaction(async (tx) => {
      const number = await repo.takeCrlNumber(tx, ca.id);
      const entries = (await repo.revokedUnder(tx, ca.id)).map((r) => ({
        serialHex: r.serialHex,
        revokedAt: r.revokedAt ?? now,
        ...(r.reason ? { reason: r.reason as RevocationReason } : {}),
      }));
      const nextUpdate = new Date(now.getTime() + crlLifetimeMs(config));
      const der = buildCrl({ issuer: ca.certificate, signer: ca.signer, thisUpdate: now, nextUpdate, crlNumber: number, entries });
      const row = { id: 0, caId: ca.id, number, thisUpdate: now, nextUpdate, der };
      await repo.insertCrl(tx, { caId: ca.id, number, thisUpdate: now, nextUpdate, der });
      return row;
    });
  }

  /** Signs one unit signing certificate for `spki`, valid `years` (the CLI and bulk issuance: no dual pair). */
  function signUnit(family: KeyFamily, org: string, uscc: string, spki: Uint8Array, years: number): Issued {
    const serial = randomSerial();
    const request = { ...unitRequest(family, org, uscc, years), profile: profiles.unitSigning, serial };
    const der = issueCertificate({ ...request, subjectSpki: spki });
    return { der, serialHex: serialToHex(serial), profile: 'unitSigning', org, uscc, notBefore: request.notBefore, notAfter: request.notAfter };
  }

  /** `startsAt`: a renewal's start (the old certificate's end, when that is still ahead). */
  function unitRequest(family: KeyFamily, org: string, uscc: string, years: number, startsAt?: Date) {
    // Whole seconds: the certificate says no more, and the stored row must say the same.
    const now = new Date(Math.floor(clock().getTime() / 1000) * 1000);
    const start = startsAt ? renewalStart(new Date(Math.floor(startsAt.getTime() / 1000) * 1000), now) : now;
    return {
      subject: unitSubject(org, uscc),
      issuer: issuerRef(cas.issuing[family]),
      notBefore: start,
      // The paid term; both certificates of a dual pair end together, on the signing profile's rule.
      notAfter: validityEnd(profiles.unitSigning, start, years),
      baseUrl: config.baseUrl,
    };
  }

  /**
   * Revokes a certificate and, for a dual pair, its other certificate with the same reason: the two
   * keys were issued to the same holder together and stop together. Both rows are locked in serial
   * order, so two producers revoking the two halves at once cannot deadlock.
   */
  async function revokeRow(actor: Actor, serialHex: string, reason: RevocableReason): Promise<RevokeResult> {
    const serial = normaliseSerial(serialHex);
    const at = clock();
    const revoked = await db.transaction(async (tx) => {
      // pair_serial_hex is written once at issuance, so reading it before locking is safe.
      const pairSerial = (await repo.certificateBySerial(tx, serial))?.pairSerialHex ?? undefined;
      const locked = new Map<string, repo.CertificateRow>();
      for (const s of [serial, ...(pairSerial ? [pairSerial] : [])].sort()) {
        const row = await repo.lockCertificate(tx, s);
        if (row) locked.set(s, row);
      }
      const found = locked.get(serial);
      if (!found) throw caServiceErrors.certificateNotFound();
      if (found.status === 'revoked') throw caServiceErrors.alreadyRevoked();
      const partner = pairSerial ? locked.get(pairSerial) : undefined;
      const targets = [found, ...(partner?.status === 'valid' ? [partner] : [])];
      for (const target of targets) {
        await repo.markRevoked(tx, target, at, reason);
        await appendAudit(tx, {
          at,
          actor,
          action: 'certificate.revoke',
          entityType: target.applicationId ? 'application' : 'certificate',
          entityId: target.applicationId ?? target.serialHex,
          data: { serial: target.serialHex, reason, profile: target.profile, ...(target === found ? {} : { withPairOf: serial }) },
        });
      }
      // 已吊销 for the relying platforms, once per revocation (a dual pair names its other half).
      if (found.applicationId) {
        const certificate = { serial: found.serialHex, profile: found.profile, reason, pairSerial: partner?.status === 'valid' ? partner.serialHex : null };
        await recordPlatformEvent(tx, { type: 'certificate.revoked', application: found.applicationId, at, data: { certificate } });
      }
      return targets.map((t) => ({ ...t, status: 'revoked' as const, revokedAt: at, revocationReason: reason }));
    });
    deps.observer?.revoked(revoked);
    for (const ca of new Set(revoked.map((r) => byId.get(r.issuerCaId)))) {
      if (ca) {
        for (const r of revoked) if (r.issuerCaId === ca.id) responder.invalidate(ca.keyHash, r.serialHex);
        await publishCrl(ca);
      } else {
        // Issued by a CA generation whose key another instance holds: that instance re-signs its CRL.
        log.warn({ serial }, 'revoked a certificate of a CA this instance does not hold');
      }
    }
    const [certificate, pair] = revoked;
    return { certificate: certificate!, ...(pair ? { pair } : {}) };
  }

  /** Revokes unless revoked already (a retried issuance, or a producer who revoked by hand). */
  async function revokeIfValid(actor: Actor, serialHex: string, reason: RevocableReason): Promise<void> {
    try {
      await revokeRow(actor, serialHex, reason);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'ALREADY_REVOKED')) throw err;
    }
  }

  let timers: NodeJS.Timeout[] = [];
  let mark = '';

  /** 变更's old certificates left valid by a stop between the new one's store and their revocation. */
  async function finishChanges(): Promise<string[]> {
    const serials = await repo.changedButValid(db);
    for (const serial of serials) {
      log.warn({ serial }, 'revoking the predecessor of a 变更 left valid');
      await revokeIfValid({ kind: 'system', id: 'change-completion' }, serial, 'affiliationChanged');
    }
    return serials;
  }

  return {
    cas,
    responder,

    caByName: (name: string) => byName.get(name),
    caById: (id: string) => byId.get(id),

    /**
     * 制证: the producer issues for an application in 制证中; subject from the verified application.
     * SM2 gets a dual pair: the encryption key is archived (KM) and, from a CSR, enveloped for the USB key.
     */
    async issueForApplication(actor: Actor, applicationId: string, input: IssueInput): Promise<IssueResult> {
      const app = await applicationsRepo.findById(db, applicationId);
      if (!app) throw caServiceErrors.notFound();
      assertWork(app.status, 'issue_certificate');
      if (!app.orgName || !app.uscc) throw caServiceErrors.noOrganisation();
      const org = app.orgName;
      const uscc = app.uscc;
      const csr = input.mode === 'csr' ? verifyCsr(input.csrPem) : undefined;
      const family = csr?.family ?? (input.mode === 'software' ? input.family : 'sm2');
      // 续期 / 变更 / 补办: the new certificate names the old one and why; a renewal follows it without
      // a gap, a change or a reissue ends where it ended (the term was paid for once).
      const predecessor = app.kind !== 'new' && app.concernsSerial ? await repo.certificateBySerial(db, app.concernsSerial) : undefined;
      const succession = app.kind !== 'new' && predecessor ? successionOf[app.kind] : undefined;
      const predecessorOf = (profile: string) =>
        !predecessor ? undefined : profile === 'unitSigning' ? predecessor.serialHex : (predecessor.pairSerialHex ?? undefined);
      // A change or a reissue keeps the old end: once it has passed, there is nothing left to issue.
      if (app.kind !== 'renewal' && predecessor && predecessor.notAfter.getTime() <= clock().getTime()) throw caServiceErrors.predecessorExpired();
      const request =
        app.kind === 'renewal' || !predecessor
          ? unitRequest(family, org, uscc, app.termYears, predecessor?.notAfter)
          : { ...unitRequest(family, org, uscc, 1), notAfter: successorValidity(predecessor.notAfter, clock()).notAfter };
      const unit = issueUnitCertificates(
        request,
        csr ? { kind: 'csr', family, spki: csr.spki } : { kind: 'software', family, chain: chainOf(family) },
      );
      const escrowedKey = unit.encryptionKey ? await deps.escrow.escrow(unit.encryptionKey) : undefined;
      const issued: Issued[] = unit.certificates.map((c) => ({
        ...c,
        org,
        uscc,
        notBefore: request.notBefore,
        notAfter: request.notAfter,
        ...(c.profile === 'unitEncryption' && escrowedKey ? { escrowedKey } : {}),
        ...(predecessorOf(c.profile) && succession ? { predecessorSerialHex: predecessorOf(c.profile), succession } : {}),
      }));
      const rows = await certificateStore.store({
        actor,
        ca: cas.issuing[family],
        issued,
        mode: input.mode,
        ...(input.mode === 'csr' && input.usbKeySerial ? { usbKeySerial: input.usbKeySerial } : {}),
        application: {
          id: applicationId,
          // Re-read under lock: the status may have moved on while we signed.
          admit(locked) {
            if (!locked) throw caServiceErrors.notFound();
            assertWork(locked.status, 'issue_certificate');
          },
        },
      });
      // 变更: the old certificate (and its pair) stops once the new one exists, not before.
      if (app.kind === 'change' && predecessor) await revokeIfValid(actor, predecessor.serialHex, 'affiliationChanged');
      const base64 = (der: Uint8Array) => Buffer.from(der).toString('base64');
      return {
        certificates: rows,
        ...(unit.p12 ? { p12: { base64: base64(unit.p12.der), password: unit.p12.password, fileName: `${app.number}-${family}.p12` } } : {}),
        ...(unit.envelope ? { envelope: { base64: base64(unit.envelope), fileName: `${app.number}-sm2-enc.env` } } : {}),
      };
    },

    /** `certdesk cert issue`: the operator names the unit (and the term, one year by default); the family follows the CSR's key. */
    async issueForOperator(actor: Actor, csrPem: string | Uint8Array, org: string, uscc: string, years = 1): Promise<repo.CertificateRow> {
      const csr = verifyCsr(csrPem);
      const issued = signUnit(csr.family, org, uscc, csr.spki, years);
      const [row] = await certificateStore.store({ actor, ca: cas.issuing[csr.family], issued: [issued], mode: 'cli' });
      return row!;
    },

    /**
     * Many certificates from public keys in one transaction (bulk issuance and the benchmark):
     * the same signing, rows and audit records as one at a time, fewer round trips.
     */
    async issueBatch(actor: Actor, family: KeyFamily, requests: { spki: Uint8Array; org: string; uscc: string }[]) {
      const issued = requests.map((r) => signUnit(family, r.org, r.uscc, r.spki, 1));
      await certificateStore.store({ actor, ca: cas.issuing[family], issued, mode: 'batch' });
      return issued.map((c) => c.der);
    },

    /** An application's certificates as lists show them (without the DER). */
    async certificatesOf(applicationId: string) {
      return repo.certificateSummariesOfApplication(db, applicationId);
    },

    /** Valid certificates of an organisation (by 统一社会信用代码): duplicates a reviewer must see. */
    async validForUscc(uscc: string) {
      return repo.validForUscc(db, uscc, clock());
    },

    /** Every certificate of an organisation, revoked and expired ones too (the relying platforms' look-up). */
    async certificatesOfUnit(uscc: string) {
      return repo.certificatesOfUnit(db, uscc);
    },

    async certificate(serialHex: string) {
      return repo.certificateBySerial(db, normaliseSerial(serialHex));
    },

    /** 续期 / 变更 / 补办: the certificate that succeeded this one. */
    async successorOf(serialHex: string) {
      return repo.successorOf(db, normaliseSerial(serialHex));
    },

    /**
     * 即将到期 / 已过期 of these applications' signing certificates that are not renewed yet:
     * the warning the holder's list shows, in the words of 证书与印章.
     */
    async expiryAmong(applicationIds: string[], policy: RenewalPolicy) {
      const now = clock();
      const rows = await repo.signingOfApplications(db, applicationIds);
      const renewed = await repo.successorsAmong(db, rows.map((r) => r.serialHex));
      const byApplication = new Map<string, { state: 'expiring' | 'expired'; label: string; daysLeft: number; notAfter: string }>();
      let changesAt: Date | undefined;
      for (const r of rows) {
        const next = daysLeftChangesAt(r.notAfter, now);
        if (!changesAt || next < changesAt) changesAt = next;
        const state = expiryState(r.notAfter, now, policy);
        if (state === 'valid' || renewed.has(r.serialHex) || !r.applicationId) continue;
        byApplication.set(r.applicationId, { state, label: expiryLabels[state], daysLeft: daysLeft(r.notAfter, now), notAfter: r.notAfter.toISOString() });
      }
      return { byApplication, changesAt };
    },

    /** Of these serials, those renewed: successor serial by predecessor serial. */
    async successorsAmong(serials: string[]) {
      return repo.successorsAmong(db, serials);
    },

    /** KM lawful recovery: the archived private key (PKCS#8) of an encryption certificate, audited. */
    async recoverEscrowedKey(actor: Actor, serialHex: string): Promise<Uint8Array> {
      const serial = normaliseSerial(serialHex);
      const row = await repo.certificateBySerial(db, serial);
      if (!row) throw caServiceErrors.certificateNotFound();
      if (!row.escrowedKey) throw caServiceErrors.noEscrowedKey();
      const pkcs8 = await deps.escrow.recover(row.escrowedKey);
      await db.transaction((tx) =>
        appendAudit(tx, {
          at: clock(),
          actor,
          action: 'certificate.key_recover',
          entityType: row.applicationId ? 'application' : 'certificate',
          entityId: row.applicationId ?? serial,
          data: { serial, profile: row.profile },
        }),
      );
      return pkcs8;
    },

    revoke: revokeRow,

    finishChanges,

    publishCrl,

    /** The newest CRL of a CA this instance holds, published first if there is none or it is stale. */
    async currentCrl(name: string): Promise<Uint8Array> {
      const ca = byName.get(name);
      if (!ca) throw caServiceErrors.caNotFound(name);
      const latest = await repo.latestCrl(db, ca.id);
      if (latest && latest.nextUpdate.getTime() - clock().getTime() > crlLifetimeMs(config) / 2) return latest.der;
      return (await publishCrl(ca)).der;
    },

    /** CRL refresh on a schedule, and dropping cached OCSP answers when another instance revoked. */
    startSchedules() {
      const refresh = async () => {
        for (const ca of cas.all) await publishCrl(ca);
      };
      const poll = async () => {
        const now = await repo.revocationMark(db);
        if (mark !== '' && now !== mark) cache.clear();
        mark = now;
      };
      // Once per outage, not every 2 s while the database is away.
      const guard = (what: string, run: () => Promise<void>) => {
        const failures = createOutageLog(log, what);
        return () => {
          run().then(
            () => failures.recovered(),
            (err: unknown) => failures.failed(err, 'schedule'),
          );
        };
      };
      timers = [
        setInterval(guard('CRL refresh failed', refresh), config.crlRefreshMinutes * 60_000),
        setInterval(guard('revocation poll failed', poll), 2_000),
        setInterval(guard('变更 completion failed', async () => void (await finishChanges())), 60_000),
      ];
      for (const t of timers) t.unref();
      guard('变更 completion failed', async () => void (await finishChanges()))();
      return poll();
    },

    stopSchedules() {
      for (const t of timers) clearInterval(t);
      timers = [];
    },
  };
}

export type CaService = ReturnType<typeof createCaService>;

/**
 * A serial as stored (pki's serialToHex): lower-case hex of whole octets without leading zero
 * octets — whatever case, separators or odd length people type.
 */
export function normaliseSerial(input: string): string {
  const hex = input.trim().toLowerCase().replace(/[\s:]/g, '').replace(/^0x/, '');
  if (!/^[0-9a-f]+$/.test(hex)) return hex;
  return (hex.length % 2 === 1 ? `0${hex}` : hex).replace(/^(00)+(?=..)/, '');
}

export { familyLabels };
