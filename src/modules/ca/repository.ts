/** ca's tables: CAs, certificates, seals, seal approvals, CRLs. Only this file queries them. */
import { and, desc, eq, getTableColumns, gt, inArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { selectRows, type Db, type Tx } from '../../db/database.ts';
import { certificateAuthorities, certificates, crls, sealApprovals, seals } from '../../db/schema.ts';
import { AppError } from '../../domain/errors.ts';
import { certificateTransition } from '../../domain/lifecycles.ts';

type Conn = Db | Tx;
export type CaRow = typeof certificateAuthorities.$inferSelect;
export type NewCaRow = typeof certificateAuthorities.$inferInsert;
export type CertificateRow = typeof certificates.$inferSelect;
export type NewCertificateRow = typeof certificates.$inferInsert;
export type SealRow = typeof seals.$inferSelect;
export type CrlRow = typeof crls.$inferSelect;

export async function casNamed(db: Conn, name: string): Promise<CaRow[]> {
  return db.select().from(certificateAuthorities).where(eq(certificateAuthorities.name, name)).orderBy(desc(certificateAuthorities.createdAt));
}

export async function insertCa(tx: Conn, row: NewCaRow): Promise<CaRow> {
  const [inserted] = await tx.insert(certificateAuthorities).values(row).returning();
  if (!inserted) throw new Error('CA insert returned nothing');
  return inserted;
}

/** Takes the CA's next CRL number (atomically: instances and the CLI may publish at once). */
export async function takeCrlNumber(tx: Conn, caId: string): Promise<number> {
  const [row] = await tx
    .update(certificateAuthorities)
    .set({ nextCrlNumber: sql`${certificateAuthorities.nextCrlNumber} + 1` })
    .where(eq(certificateAuthorities.id, caId))
    .returning({ next: certificateAuthorities.nextCrlNumber });
  if (!row) throw new Error(`no CA ${caId}`);
  return row.next - 1;
}

export async function insertCertificate(tx: Conn, row: NewCertificateRow): Promise<CertificateRow> {
  const [inserted] = await tx.insert(certificates).values(row).returning();
  if (!inserted) throw new Error('certificate insert returned nothing');
  return inserted;
}

// The DER is the caller's already: inserted, not read back (it would travel twice).
const { der: _der, ...storedColumns } = getTableColumns(certificates);

/** One INSERT however many rows; the rows as stored, in the order given. */
export async function insertCertificates(tx: Conn, rows: NewCertificateRow[]): Promise<CertificateRow[]> {
  if (rows.length === 0) return [];
  const stored = new Map((await tx.insert(certificates).values(rows).returning(storedColumns)).map((s) => [s.serialHex, s]));
  return rows.map((r) => {
    const s = stored.get(r.serialHex);
    if (!s) throw new Error(`certificate ${r.serialHex} was not stored`);
    return { ...s, der: r.der };
  });
}

export async function certificateBySerial(db: Conn, serialHex: string): Promise<CertificateRow | undefined> {
  const [row] = await db.select().from(certificates).where(eq(certificates.serialHex, serialHex));
  return row;
}

export async function lockCertificate(tx: Tx, serialHex: string): Promise<CertificateRow | undefined> {
  const [row] = await tx.select().from(certificates).where(eq(certificates.serialHex, serialHex)).for('update');
  return row;
}

export async function statusOf(db: Conn, serialHex: string, caIds: string[]) {
  const [row] = await db
    .select({ status: certificates.status, revokedAt: certificates.revokedAt, reason: certificates.revocationReason })
    .from(certificates)
    .where(and(eq(certificates.serialHex, serialHex), inArray(certificates.issuerCaId, caIds)));
  return row;
}

export async function certificatesOfApplication(db: Conn, applicationId: string): Promise<CertificateRow[]> {
  return db.select().from(certificates).where(eq(certificates.applicationId, applicationId)).orderBy(certificates.id);
}

/** What a list shows of a certificate: every column but the DER and the escrowed key. */
export type CertificateSummary = Omit<CertificateRow, 'der' | 'escrowedKey'>;
const { der: _summaryDer, escrowedKey: _summaryKey, ...summaryColumns } = getTableColumns(certificates);

export async function certificateSummariesOfApplication(db: Conn, applicationId: string): Promise<CertificateSummary[]> {
  return db.select(summaryColumns).from(certificates).where(eq(certificates.applicationId, applicationId)).orderBy(certificates.id);
}

/** The CA's own service certificates of a profile (seal maker, document signing), newest first. */
/** An organisation's certificates still valid at `now` (a reviewer must see them), newest first. */
export async function validForUscc(db: Conn, uscc: string, now: Date, limit = 20): Promise<CertificateRow[]> {
  return db
    .select()
    .from(certificates)
    .where(and(eq(certificates.subjectUscc, uscc), eq(certificates.status, 'valid'), gt(certificates.notAfter, now)))
    .orderBy(desc(certificates.notAfter))
    .limit(limit);
}

/** Every certificate issued to an organisation (by 统一社会信用代码), whatever its state, newest first. */
export async function certificatesOfUnit(db: Conn, uscc: string, limit = 100): Promise<CertificateRow[]> {
  return db.select().from(certificates).where(eq(certificates.subjectUscc, uscc)).orderBy(desc(certificates.notBefore), desc(certificates.id)).limit(limit);
}

export async function serviceCertificates(db: Conn, profile: string): Promise<CertificateRow[]> {
  return db
    .select()
    .from(certificates)
    .where(and(eq(certificates.profile, profile), sql`${certificates.keyLabel} IS NOT NULL`))
    .orderBy(desc(certificates.createdAt));
}

/** The one writer of a certificate's status: the domain decides (lifecycles.ts), the row is compared and swapped. */
export async function markRevoked(tx: Tx, row: CertificateRow, at: Date, reason: string): Promise<void> {
  const status = certificateTransition(row.status, 'revoke');
  const [changed] = await tx
    .update(certificates)
    .set({ status, revokedAt: at, revocationReason: reason })
    .where(and(eq(certificates.serialHex, row.serialHex), eq(certificates.status, row.status)))
    .returning({ serialHex: certificates.serialHex });
  if (!changed) throw new AppError('CERTIFICATE_STATUS', '证书状态已改变，请刷新后重试', 409);
}

export async function revokedUnder(db: Conn, caId: string) {
  return db
    .select({ serialHex: certificates.serialHex, revokedAt: certificates.revokedAt, reason: certificates.revocationReason })
    .from(certificates)
    .where(and(eq(certificates.issuerCaId, caId), eq(certificates.status, 'revoked')));
}

/** A cheap fingerprint of every revocation so far: instances compare it to drop stale OCSP answers. */
export async function revocationMark(db: Conn): Promise<string> {
  const rows = await selectRows<{ n: string; last: string | null }>(
    db,
    sql`SELECT count(*)::text AS n, max(revoked_at)::text AS last FROM certificates WHERE status = 'revoked'`,
  );
  return `${rows[0]?.n ?? 0}:${rows[0]?.last ?? ''}`;
}

export async function insertCrl(tx: Conn, row: typeof crls.$inferInsert): Promise<void> {
  await tx.insert(crls).values(row);
}

export async function latestCrl(db: Conn, caId: string): Promise<CrlRow | undefined> {
  const [row] = await db.select().from(crls).where(eq(crls.caId, caId)).orderBy(desc(crls.number)).limit(1);
  return row;
}

export async function insertSeal(tx: Conn, row: typeof seals.$inferInsert): Promise<SealRow> {
  const [inserted] = await tx.insert(seals).values(row).returning();
  if (!inserted) throw new Error('seal insert returned nothing');
  return inserted;
}

export async function latestSeal(db: Conn, applicationId: string): Promise<SealRow | undefined> {
  const [row] = await db.select().from(seals).where(eq(seals.applicationId, applicationId)).orderBy(desc(seals.createdAt), desc(seals.id)).limit(1);
  return row;
}

/** What a list shows of a seal: not its DER and picture (tens of kilobytes each). */
export type SealSummary = Pick<SealRow, 'id' | 'esId' | 'applicationId' | 'certificateSerial' | 'name' | 'validEnd' | 'createdAt'>;

export async function latestSealSummary(db: Conn, applicationId: string): Promise<SealSummary | undefined> {
  const [row] = await db
    .select({
      id: seals.id,
      esId: seals.esId,
      applicationId: seals.applicationId,
      certificateSerial: seals.certificateSerial,
      name: seals.name,
      validEnd: seals.validEnd,
      createdAt: seals.createdAt,
    })
    .from(seals)
    .where(eq(seals.applicationId, applicationId))
    .orderBy(desc(seals.createdAt), desc(seals.id))
    .limit(1);
  return row;
}

export async function supersedeSeal(tx: Conn, id: number, at: Date, byEsId: string): Promise<void> {
  await tx.update(seals).set({ supersededAt: at, supersededBy: byEsId }).where(eq(seals.id, id));
}

export async function sealByEsId(db: Conn, esId: string): Promise<SealRow | undefined> {
  const [row] = await db.select().from(seals).where(eq(seals.esId, esId));
  return row;
}

export async function insertSealApproval(tx: Conn, row: typeof sealApprovals.$inferInsert): Promise<void> {
  await tx.insert(sealApprovals).values(row);
}

export async function latestSealApproval(db: Conn, applicationId: string) {
  const [row] = await db
    .select()
    .from(sealApprovals)
    .where(eq(sealApprovals.applicationId, applicationId))
    .orderBy(desc(sealApprovals.approvedAt), desc(sealApprovals.id))
    .limit(1);
  return row;
}

/** The ids among `applicationIds` that have a seal-picture approval. */
export async function sealApprovedAmong(db: Conn, applicationIds: string[]): Promise<Set<string>> {
  if (applicationIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ applicationId: sealApprovals.applicationId })
    .from(sealApprovals)
    .where(inArray(sealApprovals.applicationId, applicationIds));
  return new Set(rows.map((r) => r.applicationId));
}

/** 续期: the certificate that renews `serialHex`, if any (one at most: unique index). */
export async function successorOf(db: Conn, serialHex: string): Promise<CertificateRow | undefined> {
  const [row] = await db.select().from(certificates).where(eq(certificates.predecessorSerialHex, serialHex));
  return row;
}

const changedTo = alias(certificates, 'changed_to');

/**
 * Signing certificates still valid although a 变更 has issued their successor: the process stopped
 * between storing the new certificate and revoking the old one (two transactions: the revocation
 * re-signs the CRL). The CA service finishes them (finishChanges).
 */
export async function changedButValid(db: Conn): Promise<string[]> {
  const rows = await db
    .select({ serialHex: certificates.serialHex })
    .from(certificates)
    .innerJoin(changedTo, eq(changedTo.predecessorSerialHex, certificates.serialHex))
    .where(and(eq(certificates.status, 'valid'), eq(certificates.profile, 'unitSigning'), eq(changedTo.succession, 'changed')));
  return rows.map((r) => r.serialHex);
}

/** Of these serials, the ones already renewed (their successor's serial by theirs). */
export async function successorsAmong(db: Conn, serials: string[]): Promise<Map<string, string>> {
  if (serials.length === 0) return new Map();
  const rows = await db
    .select({ predecessor: certificates.predecessorSerialHex, serial: certificates.serialHex })
    .from(certificates)
    .where(inArray(certificates.predecessorSerialHex, serials));
  return new Map(rows.map((r) => [r.predecessor ?? '', r.serial]));
}

/** The unit signing certificates, not revoked, of these applications: serial, application and end only (the list's 即将到期). */
export async function signingOfApplications(db: Conn, applicationIds: string[]): Promise<Pick<CertificateRow, 'serialHex' | 'applicationId' | 'notAfter'>[]> {
  if (applicationIds.length === 0) return [];
  return db
    .select({ serialHex: certificates.serialHex, applicationId: certificates.applicationId, notAfter: certificates.notAfter })
    .from(certificates)
    .where(and(inArray(certificates.applicationId, applicationIds), eq(certificates.profile, 'unitSigning'), eq(certificates.status, 'valid')));
}

/** Every archived (KM) private key, its row held until the transaction ends (passphrase rotation). */
export async function lockEscrowedKeys(tx: Tx): Promise<{ id: number; escrowedKey: Uint8Array }[]> {
  const rows = await tx
    .select({ id: certificates.id, escrowedKey: certificates.escrowedKey })
    .from(certificates)
    .where(sql`${certificates.escrowedKey} IS NOT NULL`)
    .orderBy(certificates.id)
    .for('update');
  return rows.flatMap((r) => (r.escrowedKey ? [{ id: r.id, escrowedKey: r.escrowedKey }] : []));
}

export async function setEscrowedKey(tx: Tx, id: number, escrowedKey: Uint8Array): Promise<void> {
  await tx.update(certificates).set({ escrowedKey }).where(eq(certificates.id, id));
}
