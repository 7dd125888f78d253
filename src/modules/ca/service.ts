/**
 * The CA's use cases: issue (from a CSR, or a software certificate with a one-time PKCS#12
 * password), revoke, publish CRLs (on change and on a schedule), answer OCSP from the certificates
 * table. The app and the CLI call these same functions. Who may ask is decided by the routes and
 * the application's status here; the signing itself is pki's.
 */
import type { Logger } from 'pino';
import type { CaConfig } from '../../config.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { Actor } from '../../domain/application.ts';
import { AppError } from '../../domain/errors.ts';
import { issueCertificate, randomSerial, type IssuerRef } from '../../pki/certificate.ts';
import { buildCrl, type RevocationReason } from '../../pki/crl.ts';
import { serialToHex } from '../../pki/issuer.ts';
import { verifyCsr } from '../../pki/csr.ts';
import { createOcspResponder, type CertificateStatus, type OcspResponder } from '../../pki/ocsp.ts';
import { memoryOcspCache } from '../../pki/ocsp-cache.ts';
import { issueSoftwareCertificate } from '../../pki/pkcs12.ts';
import { profiles, unitSubject, validityEnd, type ProfileName } from '../../pki/profiles.ts';
import type { KeyFamily } from '../../pki/signer.ts';
import { appendAudit, appendAuditBatch } from '../audit/chain.ts';
import * as applicationsRepo from '../applications/repository.ts';
import { familyLabels, type CaSet, type LoadedCa } from './authority.ts';
import * as repo from './repository.ts';
import { subjectText } from './views.ts';

export const revocableReasons = ['keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'unspecified'] as const;
export type RevocableReason = (typeof revocableReasons)[number];

export type IssueInput =
  | { mode: 'csr'; csrPem: string; usbKeySerial: string }
  | { mode: 'software'; family: KeyFamily };

export interface IssueResult {
  certificates: repo.CertificateRow[];
  p12?: { base64: string; password: string; fileName: string };
}

export const caServiceErrors = {
  notFound: () => new AppError('NOT_FOUND', '申请不存在', 404),
  notInProduction: (label: string) => new AppError('NOT_IN_PRODUCTION', `申请当前状态为“${label}”，只有“制证中”的申请才能签发证书`, 409),
  noOrganisation: () => new AppError('NO_ORGANISATION', '申请缺少已核验的单位名称或统一社会信用代码，无法签发证书', 409),
  certificateNotFound: () => new AppError('CERTIFICATE_NOT_FOUND', '证书不存在', 404),
  alreadyRevoked: () => new AppError('ALREADY_REVOKED', '该证书已吊销', 409),
  caNotFound: (name: string) => new AppError('CA_NOT_FOUND', `没有名为“${name}”的 CA`, 404),
};

export interface CaServiceDeps {
  db: Db;
  cas: CaSet;
  config: CaConfig;
  clock: () => Date;
  log: Logger;
  statusLabel: (status: string) => string;
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

  /** What we know of a certificate we just signed, without parsing it back (parsing costs more than signing). */
  interface Issued {
    der: Uint8Array;
    serialHex: string;
    org: string;
    uscc: string;
    notBefore: Date;
    notAfter: Date;
  }

  /** Stores signed certificates and their audit records in `tx`: one INSERT each, however many. */
  async function store(
    tx: Tx,
    actor: Actor,
    issued: readonly Issued[],
    ca: LoadedCa,
    profile: ProfileName,
    extra: { applicationId?: string; usbKeySerial?: string; mode: string },
  ): Promise<repo.CertificateRow[]> {
    const at = clock();
    const rows = issued.map((c) => ({
      serialHex: c.serialHex,
      issuerCaId: ca.id,
      applicationId: extra.applicationId ?? null,
      family: ca.family,
      profile,
      subjectOrg: c.org,
      subjectCn: c.org,
      subjectUscc: c.uscc,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      der: c.der,
      status: 'valid' as const,
      usbKeySerial: extra.usbKeySerial ?? null,
      issuedBy: actor.id,
      createdAt: at,
    }));
    const stored = extra.mode === 'batch' ? (await repo.insertCertificatesQuietly(tx, rows), []) : await repo.insertCertificates(tx, rows);
    await appendAuditBatch(
      tx,
      rows.map((r) => ({
        at,
        actor,
        action: 'certificate.issue',
        entityType: extra.applicationId ? 'application' : 'certificate',
        entityId: extra.applicationId ?? r.serialHex,
        data: {
          serial: r.serialHex,
          profile,
          family: ca.family,
          mode: extra.mode,
          subject: subjectText(r),
          issuer: ca.name,
          ...(extra.usbKeySerial ? { usbKeySerial: extra.usbKeySerial } : {}),
        },
      })),
    );
    return stored;
  }

  /** Signs a unit signing certificate for `spki` (or a new key: software certificates), valid `years` (the paid term). */
  function signUnit(
    family: KeyFamily,
    org: string,
    uscc: string,
    spki: Uint8Array | undefined,
    years: number,
    chain?: readonly Uint8Array[],
  ) {
    const serial = randomSerial();
    const request = { ...unitRequest(family, org, uscc, years), serial };
    const meta = { serialHex: serialToHex(serial), org, uscc, notBefore: request.notBefore, notAfter: request.notAfter };
    if (spki) return { issued: { ...meta, der: issueCertificate({ ...request, subjectSpki: spki }) } };
    const soft = issueSoftwareCertificate(family, request, chain ?? []);
    return { issued: { ...meta, der: soft.certificate }, p12: soft.p12, password: soft.password };
  }

  function unitRequest(family: KeyFamily, org: string, uscc: string, years: number) {
    // Whole seconds: the certificate says no more, and the stored row must say the same.
    const now = new Date(Math.floor(clock().getTime() / 1000) * 1000);
    const profile = profiles.unitSigning;
    return {
      profile,
      subject: unitSubject(org, uscc),
      issuer: issuerRef(cas.issuing[family]),
      notBefore: now,
      notAfter: validityEnd(profile, now, years),
      baseUrl: config.baseUrl,
    };
  }

  async function revokeRow(actor: Actor, serialHex: string, reason: RevocableReason): Promise<repo.CertificateRow> {
    const serial = normaliseSerial(serialHex);
    const at = clock();
    const row = await db.transaction(async (tx) => {
      const found = await repo.lockCertificate(tx, serial);
      if (!found) throw caServiceErrors.certificateNotFound();
      if (found.status === 'revoked') throw caServiceErrors.alreadyRevoked();
      await repo.markRevoked(tx, serial, at, reason);
      await appendAudit(tx, {
        at,
        actor,
        action: 'certificate.revoke',
        entityType: found.applicationId ? 'application' : 'certificate',
        entityId: found.applicationId ?? serial,
        data: { serial, reason, profile: found.profile },
      });
      return { ...found, status: 'revoked' as const, revokedAt: at, revocationReason: reason };
    });
    const ca = byId.get(row.issuerCaId);
    if (ca) {
      responder.invalidate(ca.keyHash, serial);
      await publishCrl(ca);
    } else {
      // Issued by a CA generation whose key another instance holds: that instance re-signs its CRL.
      log.warn({ serial }, 'revoked a certificate of a CA this instance does not hold');
    }
    return row;
  }

  let timers: NodeJS.Timeout[] = [];
  let mark = '';

  return {
    cas,
    responder,

    caByName: (name: string) => byName.get(name),
    caById: (id: string) => byId.get(id),

    /** 制证: the producer issues for an application in 制证中; subject from the verified application. */
    async issueForApplication(actor: Actor, applicationId: string, input: IssueInput): Promise<IssueResult> {
      const app = await applicationsRepo.findById(db, applicationId);
      if (!app) throw caServiceErrors.notFound();
      if (app.status !== 'in_production') throw caServiceErrors.notInProduction(deps.statusLabel(app.status));
      if (!app.orgName || !app.uscc) throw caServiceErrors.noOrganisation();
      const csr = input.mode === 'csr' ? verifyCsr(input.csrPem) : undefined;
      const family = csr?.family ?? (input.mode === 'software' ? input.family : 'sm2');
      const signed = signUnit(family, app.orgName, app.uscc, csr?.spki, app.termYears, chainOf(family));
      const p12 = signed.p12
        ? { base64: Buffer.from(signed.p12).toString('base64'), password: signed.password ?? '', fileName: `${app.number}-${family}.p12` }
        : undefined;
      const rows = await db.transaction(async (tx) => {
        // Re-read under lock: the status may have moved on while we signed.
        const locked = await applicationsRepo.lockById(tx, applicationId);
        if (locked?.status !== 'in_production') throw caServiceErrors.notInProduction(deps.statusLabel(locked?.status ?? app.status));
        return store(tx, actor, [signed.issued], cas.issuing[family], 'unitSigning', {
          applicationId,
          mode: input.mode,
          ...(input.mode === 'csr' ? { usbKeySerial: input.usbKeySerial } : {}),
        });
      });
      const row = rows[0]!;
      return { certificates: [row], ...(p12 ? { p12 } : {}) };
    },

    /** `certdesk cert issue`: the operator names the unit (and the term, one year by default); the family follows the CSR's key. */
    async issueForOperator(actor: Actor, csrPem: string | Uint8Array, org: string, uscc: string, years = 1): Promise<repo.CertificateRow> {
      const csr = verifyCsr(csrPem);
      const { issued } = signUnit(csr.family, org, uscc, csr.spki, years);
      const [row] = await db.transaction((tx) => store(tx, actor, [issued], cas.issuing[csr.family], 'unitSigning', { mode: 'cli' }));
      return row!;
    },

    /**
     * Many certificates from public keys in one transaction (bulk issuance and the benchmark):
     * the same signing, rows and audit records as one at a time, fewer round trips.
     */
    async issueBatch(actor: Actor, family: KeyFamily, requests: { spki: Uint8Array; org: string; uscc: string }[]) {
      const issued = requests.map((r) => signUnit(family, r.org, r.uscc, r.spki, 1).issued);
      await db.transaction((tx) => store(tx, actor, issued, cas.issuing[family], 'unitSigning', { mode: 'batch' }));
      return issued.map((c) => c.der);
    },

    async certificatesOf(applicationId: string) {
      return repo.certificatesOfApplication(db, applicationId);
    },

    /** Valid certificates of an organisation (by 统一社会信用代码): duplicates a reviewer must see. */
    async validForUscc(uscc: string) {
      return repo.validForUscc(db, uscc, clock());
    },

    async certificate(serialHex: string) {
      return repo.certificateBySerial(db, normaliseSerial(serialHex));
    },

    revoke: revokeRow,

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
      const guard = (what: string, run: () => Promise<void>) => () => {
        run().catch((err: unknown) => log.error({ err }, what));
      };
      timers = [
        setInterval(guard('CRL refresh failed', refresh), config.crlRefreshMinutes * 60_000),
        setInterval(guard('revocation poll failed', poll), 2_000),
      ];
      for (const t of timers) t.unref();
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
