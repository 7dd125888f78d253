/**
 * The electronic seal of an application: its picture drawn from the verified organisation name
 * (shown to the applicant, who approves it — beyond the manual), then the GB/T 38540 SESeal made by
 * the producer, signed with the CA's SM2 seal-maker certificate and bound to the application's
 * valid signing certificates. The seal made is exactly the picture approved (compared by hash).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import { assertWork, inGroup, mayWork, type Actor, type ApplicationStatus } from '../../domain/application.ts';
import { AppError } from '../../domain/errors.ts';
import type { ApplicationKind } from '../../domain/aftersales.ts';
import { renderSealPng, sealDiameterMm } from '../../seal/image.ts';
import { makeSeal } from '../../seal/ses.ts';
import { appendAudit } from '../audit/chain.ts';
import * as applicationsRepo from '../applications/repository.ts';
import type { CaSet } from './authority.ts';
import * as repo from './repository.ts';
import { certificateState } from './views.ts';

export const sealErrors = {
  notFound: () => new AppError('NOT_FOUND', '申请不存在', 404),
  notYet: () => new AppError('SEAL_NOT_YET', '资料审核通过后才能查看电子印章图样', 409),
  approvalClosed: () => new AppError('SEAL_APPROVAL_CLOSED', '当前状态不能确认印章图样', 409),
  noCertificate: () => new AppError('SEAL_NO_CERTIFICATE', '请先为该申请签发有效的 SM2 单位签名证书，再制作电子印章', 409),
  notApproved: () => new AppError('SEAL_NOT_APPROVED', '等待申请人确认印章：申请人确认电子印章图样后才能制作印章', 409),
  sealNotMade: () => new AppError('SEAL_NOT_MADE', '电子印章尚未制作，请先制作电子印章，再邮寄或通知自取', 409),
  noValidCertificate: () => new AppError('NO_CERTIFICATE', '该申请尚未签发有效证书，请先签发证书', 409),
  pictureChanged: () => new AppError('SEAL_PICTURE_CHANGED', '印章图样与申请人确认的不一致，请申请人重新确认', 409),
  noSeal: () => new AppError('SEAL_NOT_FOUND', '电子印章尚未制作', 404),
};

export interface SealServiceDeps {
  db: Db;
  cas: CaSet;
  clock: () => Date;
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** 印章编码 along the lower arc: the USCC, the identifier the seal belongs to. */
function pictureOf(orgName: string, uscc: string): Uint8Array {
  return renderSealPng({ name: orgName, code: uscc });
}

/** esID: ASCII, unique; the date it was made and random hex. */
function newEsId(now: Date): string {
  return `CDES${now.toISOString().slice(0, 10).replaceAll('-', '')}${randomBytes(6).toString('hex').toUpperCase()}`;
}

/** What the seal picture's state depends on: the application as just read (assertOwned, assertExists). */
export type PictureSubject = Pick<applicationsRepo.ApplicationRow, 'id' | 'status' | 'orgName' | 'uscc' | 'kind' | 'concernsSerial'>;

export function createSealService(deps: SealServiceDeps) {
  const { db, cas, clock } = deps;
  // Drawing takes tens of milliseconds; a name is drawn the same way every time.
  const pictures = new Map<string, Uint8Array>();
  const picture = (orgName: string, uscc: string) => {
    const key = `${orgName}\u0000${uscc}`;
    let png = pictures.get(key);
    if (!png) {
      if (pictures.size > 500) pictures.clear();
      png = pictureOf(orgName, uscc);
      pictures.set(key, png);
    }
    return png;
  };

  /**
   * The approval that counts for this application's picture: its own, or — for a 续期 / 补办 (or a
   * 变更 of other details) whose picture is unchanged — the one given for the certificate it
   * succeeds (the holder approved this
   * very picture before; a changed name draws a new one, which must be approved again).
   */
  async function approvalOf(app: PictureSubject) {
    const own = await repo.latestSealApproval(db, app.id);
    if (own || app.kind === 'new' || !app.concernsSerial || !app.orgName || !app.uscc) return own ? { ...own, inheritedFrom: undefined } : undefined;
    const renewed = await repo.certificateBySerial(db, app.concernsSerial);
    const earlier = renewed?.applicationId ? await repo.latestSealApproval(db, renewed.applicationId) : undefined;
    if (!earlier || earlier.pictureSha256 !== sha256Hex(picture(app.orgName, app.uscc))) return undefined;
    return { ...earlier, inheritedFrom: renewed!.applicationId! };
  }

  /** The latest seal of the application that made the certificate this one concerns. */
  async function predecessorSeal(app: PictureSubject) {
    const old = app.concernsSerial ? await repo.certificateBySerial(db, app.concernsSerial) : undefined;
    return old?.applicationId ? repo.latestSeal(db, old.applicationId) : undefined;
  }

  async function owned(applicantId: string, applicationId: string) {
    const app = await applicationsRepo.findOwned(db, applicantId, applicationId);
    if (!app) throw sealErrors.notFound();
    return app;
  }

  return {
    /** Refuses (as not found) an application that is not this applicant's; the application otherwise. */
    async assertOwned(applicantId: string, applicationId: string): Promise<PictureSubject> {
      return owned(applicantId, applicationId);
    },

    async assertExists(applicationId: string): Promise<PictureSubject> {
      const app = await applicationsRepo.findById(db, applicationId);
      if (!app) throw sealErrors.notFound();
      return app;
    },

    /** The picture of the seal made, for staff screens. */
    async madePicture(applicationId: string): Promise<Uint8Array> {
      const seal = await repo.latestSeal(db, applicationId);
      if (!seal) throw sealErrors.noSeal();
      return seal.picture;
    },

    /**
     * The picture the applicant is asked to approve, from 资料审核通过 on: for the applicant's own
     * application (`applicantId`), or for staff.
     */
    async preview(applicationId: string, applicantId?: string): Promise<Uint8Array> {
      const app = applicantId ? await owned(applicantId, applicationId) : await applicationsRepo.findById(db, applicationId);
      if (!app) throw sealErrors.notFound();
      if (!mayWork(app.status, 'view_seal_picture') || !app.orgName || !app.uscc) throw sealErrors.notYet();
      return picture(app.orgName, app.uscc);
    },

    async approve(actor: Extract<Actor, { kind: 'applicant' }>, applicationId: string): Promise<Date> {
      const app = await owned(actor.id, applicationId);
      if (!app.orgName || !app.uscc || !mayWork(app.status, 'view_seal_picture')) throw sealErrors.notYet();
      if (!mayWork(app.status, 'approve_seal')) throw sealErrors.approvalClosed();
      const hash = sha256Hex(picture(app.orgName, app.uscc));
      const at = clock();
      await db.transaction(async (tx) => {
        await repo.insertSealApproval(tx, { applicationId, applicantId: actor.id, pictureSha256: hash, approvedAt: at });
        await appendAudit(tx, {
          at,
          actor,
          action: 'seal.picture_approve',
          entityType: 'application',
          entityId: applicationId,
          data: { number: app.number, pictureSha256: hash },
        });
      });
      return at;
    },

    async approval(applicationId: string) {
      return repo.latestSealApproval(db, applicationId);
    },

    /**
     * What the applicant may do with the picture now: see it (from 资料审核通过), approve it (until the
     * order leaves). `awaited`: production waits for this approval (待确认印章).
     */
    async pictureState(app: PictureSubject) {
      const applicationId = app.id;
      const shown = mayWork(app.status, 'view_seal_picture') && !!app.orgName && !!app.uscc;
      const approval = await approvalOf(app);
      return {
        shown,
        approvable: shown && mayWork(app.status, 'approve_seal'),
        awaited: shown && inGroup(app.status, 'sealAwaited') && !approval,
        approval,
      };
    },

    /** Of these applications, the ones whose production waits for 确认印章 (the list's 待确认印章). */
    async awaitedAmong(rows: { id: string; status: ApplicationStatus; kind: ApplicationKind }[]): Promise<Set<string>> {
      const candidates = rows.filter((r) => inGroup(r.status, 'sealAwaited'));
      const approved = await repo.sealApprovedAmong(db, candidates.map((r) => r.id));
      const waiting = candidates.filter((r) => !approved.has(r.id)).map((r) => r.id);
      // A 续期, 变更 or 补办 may carry the approval of the certificate it succeeds (few: asked one by
      // one); a new application has only its own.
      const inherited = await Promise.all(
        candidates
          .filter((r) => r.kind !== 'new' && !approved.has(r.id))
          .map(async ({ id }) => {
            const app = await applicationsRepo.findById(db, id);
            return app && (await approvalOf(app)) ? id : undefined;
          }),
      );
      return new Set(waiting.filter((id) => !inherited.includes(id)));
    },

    /** Before 邮寄 / 通知自取: a valid certificate and the seal must both exist. */
    async handOverProblem(applicationId: string): Promise<AppError | undefined> {
      const now = clock();
      const certificates = await repo.certificatesOfApplication(db, applicationId);
      if (!certificates.some((c) => certificateState(c, now) === 'valid')) return sealErrors.noValidCertificate();
      if (!(await repo.latestSeal(db, applicationId))) return sealErrors.sealNotMade();
      return undefined;
    },

    async latest(applicationId: string) {
      return repo.latestSeal(db, applicationId);
    },

    /** The latest seal as lists show it: without its DER and picture. */
    async latestSummary(applicationId: string) {
      return repo.latestSealSummary(db, applicationId);
    },

    /** 制作电子印章: needs 制证中, a valid SM2 signing certificate and the applicant's approval. */
    async make(actor: Actor, applicationId: string): Promise<repo.SealRow> {
      const app = await applicationsRepo.findById(db, applicationId);
      if (!app) throw sealErrors.notFound();
      assertWork(app.status, 'make_seal');
      if (!app.orgName || !app.uscc) throw sealErrors.notFound();
      const now = clock();
      // GB/T 38540 seals are SM2 throughout: the signer's certificate must be an SM2 one.
      const signing = (await repo.certificatesOfApplication(db, applicationId)).filter(
        (c) => c.profile === 'unitSigning' && c.family === 'sm2' && certificateState(c, now) === 'valid',
      );
      if (signing.length === 0) throw sealErrors.noCertificate();
      const approval = await approvalOf(app);
      if (!approval) throw sealErrors.notApproved();
      const png = picture(app.orgName, app.uscc);
      if (sha256Hex(png) !== approval.pictureSha256) throw sealErrors.pictureChanged();

      const validEnd = new Date(Math.min(...signing.map((c) => c.notAfter.getTime())));
      // A renewal's certificate may start later (at the old one's end): the seal starts with it.
      const validStart = new Date(Math.max(now.getTime(), ...signing.map((c) => c.notBefore.getTime())));
      const esId = newEsId(now);
      const der = makeSeal({
        esID: esId,
        name: app.orgName,
        boundCertificates: signing.map((c) => c.der),
        picturePng: png,
        widthMm: sealDiameterMm,
        heightMm: sealDiameterMm,
        validStart,
        validEnd,
        createDate: now,
        maker: { signer: cas.sealMaker.signer, certificate: cas.sealMaker.certificate },
      });
      // 变更 / 补办: the seal of the certificate succeeded gives way to this one (read before the
      // transaction: on PGlite the transaction holds the one connection).
      const replaced = app.kind === 'change' || app.kind === 'reissue' ? await predecessorSeal(app) : undefined;
      return db.transaction(async (tx) => {
        if (approval.inheritedFrom) {
          // Recorded as this application's own, saying where it comes from.
          await repo.insertSealApproval(tx, { applicationId, applicantId: app.applicantId, pictureSha256: approval.pictureSha256, approvedAt: now });
          await appendAudit(tx, {
            at: now,
            actor,
            action: 'seal.picture_approve',
            entityType: 'application',
            entityId: applicationId,
            data: { number: app.number, pictureSha256: approval.pictureSha256, inheritedFrom: approval.inheritedFrom },
          });
        }
        if (replaced && !replaced.supersededAt) await repo.supersedeSeal(tx, replaced.id, now, esId);
        const row = await repo.insertSeal(tx, {
          esId,
          applicationId,
          certificateSerial: signing[0]!.serialHex,
          name: app.orgName ?? '',
          der,
          picture: png,
          validEnd,
          createdBy: actor.id,
          createdAt: now,
        });
        await appendAudit(tx, {
          at: now,
          actor,
          action: 'seal.make',
          entityType: 'application',
          entityId: applicationId,
          data: {
            number: app.number,
            esID: esId,
            certificates: signing.map((c) => c.serialHex),
            pictureSha256: approval.pictureSha256,
            ...(replaced ? { supersedes: replaced.esId } : {}),
          },
        });
        return row;
      });
    },
  };
}

export type SealService = ReturnType<typeof createSealService>;
