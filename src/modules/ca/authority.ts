/**
 * The CAs this instance signs with: root and issuing CA per key family, found in the tables and
 * backed by keys in the key store, plus the CA's own service certificates (seal maker, document
 * signing). `ca init` and demo start-up create them; production refuses to start without them.
 *
 * A CA name (`sm2-issuing`) may have several generations in the table: an instance uses the newest
 * one whose key its own store holds, so a fresh key store (a test, a new demo directory) on a
 * shared database makes a new generation instead of failing, and never touches another's keys.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../domain/errors.ts';
import { createCaCertificates, issueCertificate } from '../../pki/certificate.ts';
import { parseCertificate } from '../../pki/certificate-info.ts';
import { describeIssuer, sha1, toHex } from '../../pki/issuer.ts';
import type { KeyStore } from '../../pki/keystore.ts';
import { profiles, validityEnd, type ProfileName } from '../../pki/profiles.ts';
import type { KeyFamily, Signer } from '../../pki/signer.ts';
import { keyCheckValue, type BlockCipher } from '../../pki/usb-key-unlock.ts';
import { appendAudit } from '../audit/chain.ts';
import * as repo from './repository.ts';

export const keyFamilies: readonly KeyFamily[] = ['sm2', 'p256'];
export const familyLabels: Record<KeyFamily, string> = { sm2: 'SM2', p256: 'ECDSA P-256' };

export interface LoadedCa {
  readonly id: string;
  readonly name: string;
  readonly family: KeyFamily;
  readonly role: 'root' | 'issuing';
  readonly certificate: Uint8Array;
  readonly signer: Signer;
  /** SHA-1 of the public key, hex: the issuerKeyHash of OCSP CertIDs. */
  readonly keyHash: string;
}

export interface ServiceCertificate {
  readonly serialHex: string;
  readonly certificate: Uint8Array;
  readonly signer: Signer;
}

export interface CaSet {
  readonly roots: Record<KeyFamily, LoadedCa>;
  readonly issuing: Record<KeyFamily, LoadedCa>;
  /** Every CA above, for lookups by name or key hash. */
  readonly all: readonly LoadedCa[];
  /** SM2 certificate that signs GB/T 38540 seals. */
  readonly sealMaker: ServiceCertificate;
  /** P-256 certificate for PDF signatures (poppler/NSS do not verify SM2). */
  readonly documentSigner: ServiceCertificate;
}

export interface AuthorityContext {
  db: Db;
  store: KeyStore;
  baseUrl: string;
  /** O= of the CA names and service certificates. */
  organization: string;
  now: Date;
  actor: { kind: 'system'; id: string };
}

const caErrors = {
  missing: (names: string[]) =>
    new AppError(
      'CA_NOT_INITIALISED',
      `CA 尚未初始化（缺少 ${names.join('、')} 或其私钥不在密钥库中）：请先运行 certdesk ca init`,
      500,
    ),
  exists: (family: KeyFamily) => new AppError('CA_EXISTS', `${familyLabels[family]} CA 已存在且私钥可用，不会重复创建`, 409),
};

const label = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

async function held(ctx: AuthorityContext, name: string): Promise<LoadedCa | undefined> {
  const labels = new Set(await ctx.store.labels());
  const row = (await repo.casNamed(ctx.db, name)).find((r) => labels.has(r.keyLabel));
  if (!row) return undefined;
  return {
    id: row.id,
    name: row.name,
    family: row.family,
    role: row.role,
    certificate: row.certificate,
    signer: await ctx.store.signer(row.keyLabel),
    keyHash: row.keyHash,
  };
}

const keyHashOf = (certificate: Uint8Array) => toHex(sha1(describeIssuer(certificate).publicKey));

/** Creates a root and an issuing CA of `family` (new keys in the store, rows in the table). */
async function createFamily(ctx: AuthorityContext, family: KeyFamily): Promise<void> {
  const rootLabel = label(`${family}-root`);
  const issuingLabel = label(`${family}-issuing`);
  const root = await ctx.store.create(rootLabel, family);
  const issuing = await ctx.store.create(issuingLabel, family);
  const certs = createCaCertificates({ family, baseUrl: ctx.baseUrl, now: ctx.now, organization: ctx.organization }, { root, issuing });
  await ctx.db.transaction(async (tx) => {
    const rootRow = await repo.insertCa(tx, {
      name: certs.root.caName,
      family,
      role: 'root',
      keyLabel: rootLabel,
      keyHash: keyHashOf(certs.root.certificate),
      certificate: certs.root.certificate,
      createdAt: ctx.now,
    });
    const issuingRow = await repo.insertCa(tx, {
      name: certs.issuing.caName,
      family,
      role: 'issuing',
      parentId: rootRow.id,
      keyLabel: issuingLabel,
      keyHash: keyHashOf(certs.issuing.certificate),
      certificate: certs.issuing.certificate,
      createdAt: ctx.now,
    });
    for (const row of [rootRow, issuingRow]) {
      await appendAudit(tx, {
        at: ctx.now,
        actor: ctx.actor,
        action: 'ca.create',
        entityType: 'certificate_authority',
        entityId: row.id,
        data: { name: row.name, family, role: row.role, keyLabel: row.keyLabel },
      });
    }
  });
}

/** `certdesk ca init`: creates the families asked for; refuses one whose CA already works here. */
export async function initCas(ctx: AuthorityContext, families: readonly KeyFamily[]): Promise<void> {
  for (const family of families) {
    if ((await held(ctx, `${family}-root`)) && (await held(ctx, `${family}-issuing`))) throw caErrors.exists(family);
    await createFamily(ctx, family);
  }
}

/**
 * The SM4 master key the USB keys' administrator keys are diversified from (usb-key-unlock.ts):
 * one per key store, under a fixed label. Every instance answering 解锁 needs the same one (the
 * same key files, or the same token), as it needs the same CA keys. Only its check value is ever
 * written down (the audit record), never the key.
 */
export const UNLOCK_MASTER_LABEL = 'usb-key-unlock-master';

export async function ensureUnlockMasterKey(ctx: AuthorityContext, createIfAbsent: boolean): Promise<{ key: BlockCipher; created: boolean } | undefined> {
  const held = await ctx.store.secret(UNLOCK_MASTER_LABEL);
  if (held) return { key: held, created: false };
  if (!createIfAbsent) return undefined;
  const key = await ctx.store.createSecret(UNLOCK_MASTER_LABEL);
  await ctx.db.transaction((tx) =>
    appendAudit(tx, {
      at: ctx.now,
      actor: ctx.actor,
      action: 'ca.secret_create',
      entityType: 'ca',
      entityId: UNLOCK_MASTER_LABEL,
      data: { label: UNLOCK_MASTER_LABEL, algorithm: 'SM4', checkValue: keyCheckValue(key) },
    }),
  );
  return { key, created: true };
}

/** The newest usable service certificate of `profile` under `issuer`, made when there is none. */
async function serviceCertificate(
  ctx: AuthorityContext,
  profile: ProfileName,
  issuer: LoadedCa,
  commonName: string,
): Promise<ServiceCertificate> {
  const labels = new Set(await ctx.store.labels());
  const minimumLeft = 30 * 86_400_000;
  const row = (await repo.serviceCertificates(ctx.db, profile)).find(
    (r) =>
      r.issuerCaId === issuer.id &&
      r.keyLabel !== null &&
      labels.has(r.keyLabel) &&
      r.status === 'valid' &&
      r.notAfter.getTime() - ctx.now.getTime() > minimumLeft,
  );
  if (row?.keyLabel) return { serialHex: row.serialHex, certificate: row.der, signer: await ctx.store.signer(row.keyLabel) };

  const keyLabel = label(profile === 'sealMaker' ? 'seal-maker' : 'doc-signing');
  const signer = await ctx.store.create(keyLabel, issuer.family);
  const p = profiles[profile];
  const subject = { country: 'CN', organization: ctx.organization, commonName };
  const der = issueCertificate({
    profile: p,
    subject,
    subjectSpki: signer.spki,
    issuer: { signer: issuer.signer, certificate: issuer.certificate, caName: issuer.name },
    notBefore: ctx.now,
    notAfter: validityEnd(p, ctx.now),
    baseUrl: ctx.baseUrl,
  });
  const info = parseCertificate(der);
  await ctx.db.transaction(async (tx) => {
    await repo.insertCertificate(tx, {
      serialHex: info.serialHex,
      issuerCaId: issuer.id,
      family: issuer.family,
      profile,
      subjectOrg: ctx.organization,
      subjectCn: commonName,
      notBefore: info.notBefore,
      notAfter: info.notAfter,
      der,
      status: 'valid',
      issuedBy: ctx.actor.id,
      keyLabel,
      createdAt: ctx.now,
    });
    await appendAudit(tx, {
      at: ctx.now,
      actor: ctx.actor,
      action: 'certificate.issue',
      entityType: 'certificate',
      entityId: info.serialHex,
      data: { profile, family: issuer.family, subject: commonName, issuer: issuer.name },
    });
  });
  return { serialHex: info.serialHex, certificate: der, signer };
}

/**
 * The CAs at start-up. `createIfAbsent` (demo, development) makes the missing families; otherwise
 * a missing CA stops the process with what the operator must do.
 */
export async function ensureCas(ctx: AuthorityContext, createIfAbsent: boolean): Promise<CaSet> {
  const missing: string[] = [];
  for (const family of keyFamilies) {
    const found = (await held(ctx, `${family}-root`)) && (await held(ctx, `${family}-issuing`));
    if (found) continue;
    if (createIfAbsent) await createFamily(ctx, family);
    else missing.push(`${family}-root`, `${family}-issuing`);
  }
  if (missing.length > 0) throw caErrors.missing(missing);
  const load = async (name: string) => {
    const ca = await held(ctx, name);
    if (!ca) throw caErrors.missing([name]);
    return ca;
  };
  const roots = { sm2: await load('sm2-root'), p256: await load('p256-root') };
  const issuing = { sm2: await load('sm2-issuing'), p256: await load('p256-issuing') };
  return {
    roots,
    issuing,
    all: [roots.sm2, roots.p256, issuing.sm2, issuing.p256],
    sealMaker: await serviceCertificate(ctx, 'sealMaker', issuing.sm2, `${ctx.organization} 电子印章制作`),
    documentSigner: await serviceCertificate(ctx, 'documentSigning', issuing.p256, `${ctx.organization} 文档签名`),
  };
}
