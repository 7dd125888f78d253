/**
 * 续期 without the post: the holder keeps the USB key. After paying they send a PKCS#10 request
 * made in the key (or ask for a 软证书), the CA issues at once — the same issuance as the 制证员's,
 * through the same status rules — the seal is made anew with the approved picture, and the order is
 * done: 已支付 → 制证中 (issue_online) → 已完成 (complete_online), each with its audit record.
 * A holder who posts the key in is served by the 制证员 from the queue instead.
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/database.ts';
import { transition, type Actor } from '../../domain/application.ts';
import { AppError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/principal.ts';
import { verifyCsr } from '../../pki/csr.ts';
import type { KeyFamily } from '../../pki/signer.ts';
import * as applicationsRepo from '../applications/repository.ts';
import { fireTransition } from '../applications/transitions.ts';
import * as repo from './repository.ts';
import type { SealService } from './seals.ts';
import type { CaService, IssueResult } from './service.ts';
import { certificateState } from './views.ts';

type Holder = Extract<Principal, { kind: 'applicant' }>;

export type OnlineIssueInput = { mode: 'csr'; csrPem: string } | { mode: 'software'; family: KeyFamily };

export interface OnlineIssueResult extends Omit<IssueResult, 'certificates'> {
  certificates: repo.CertificateSummary[];
  seal: repo.SealRow | undefined;
}

export const onlineRenewalErrors = {
  notFound: () => new AppError('NOT_FOUND', '申请不存在', 404),
  notRenewal: () => new AppError('NOT_RENEWAL', '只有续期申请可以在线签发证书；新办申请由制证员制证', 409),
  pictureNotApproved: () => new AppError('SEAL_NOT_APPROVED', '请先点击“确认印章”核对电子印章图样，再上传证书请求', 409),
  familyChanged: (label: string) => new AppError('FAMILY_CHANGED', `续期证书须与原证书使用同一算法（${label}），请用原 USB Key 生成证书请求`, 422),
  alreadyIssued: () => new AppError('ALREADY_ISSUED', '该续期申请的证书已签发，请在“证书与印章”中下载', 409),
};

const familyLabel = { sm2: 'SM2', p256: 'ECDSA P-256' } as const;
const SYSTEM: Actor = { kind: 'system', id: 'online-renewal' };

export function createOnlineRenewal(deps: { db: Db; ca: CaService; seals: SealService; clock: () => Date; log: Logger }) {
  const { db, ca, seals, clock } = deps;

  return {
    async issue(holder: Holder, applicationId: string, input: OnlineIssueInput): Promise<OnlineIssueResult> {
      const app = await applicationsRepo.findOwned(db, holder.id, applicationId);
      if (!app) throw onlineRenewalErrors.notFound();
      if (app.kind !== 'renewal' || !app.concernsSerial) throw onlineRenewalErrors.notRenewal();
      // The status rules first (已支付, or 制证中 when an earlier try stopped half-way) …
      if (app.status !== 'in_production') transition(app, 'issue_online', holder, clock());
      const predecessor = await ca.certificate(app.concernsSerial);
      const family = input.mode === 'csr' ? verifyCsr(input.csrPem).family : input.family;
      if (predecessor && predecessor.family !== family) throw onlineRenewalErrors.familyChanged(familyLabel[predecessor.family]);
      // … and the picture: a seal is made with the certificate, so its picture must be approved now.
      const picture = await seals.pictureState(app);
      if (family === 'sm2' && !picture.approval) throw onlineRenewalErrors.pictureNotApproved();

      if (app.status === 'paid') {
        await db.transaction(async (tx) => {
          const locked = await applicationsRepo.lockById(tx, app.id);
          if (!locked) throw onlineRenewalErrors.notFound();
          await fireTransition(tx, locked, 'issue_online', holder, clock(), { mode: input.mode });
        });
      }
      const now = clock();
      const issuedBefore = (await ca.certificatesOf(app.id)).filter((c) => c.profile === 'unitSigning' && certificateState(c, now) !== 'revoked');
      const hadSeal = await seals.latest(app.id);
      if (issuedBefore.length > 0 && hadSeal) throw onlineRenewalErrors.alreadyIssued();
      const result: Omit<IssueResult, 'certificates'> & { certificates: repo.CertificateSummary[] } =
        issuedBefore.length > 0
          ? { certificates: await ca.certificatesOf(app.id) }
          : await ca.issueForApplication(holder, app.id, input.mode === 'csr' ? { mode: 'csr', csrPem: input.csrPem, usbKeySerial: predecessor?.usbKeySerial ?? '' } : input);
      // GB/T 38540 seals are SM2 only: a P-256 renewal has none, as its first application had none.
      const seal = family === 'sm2' ? await seals.make(SYSTEM, app.id) : undefined;
      await db.transaction(async (tx) => {
        const locked = await applicationsRepo.lockById(tx, app.id);
        if (!locked) throw onlineRenewalErrors.notFound();
        await fireTransition(tx, locked, 'complete_online', SYSTEM, clock(), {
          certificates: result.certificates.map((c) => c.serialHex),
          ...(seal ? { esID: seal.esId } : {}),
        });
      });
      deps.log.info({ applicationId: app.id, number: app.number, renews: app.concernsSerial }, 'renewal issued online');
      return { ...result, seal };
    },
  };
}

export type OnlineRenewal = ReturnType<typeof createOnlineRenewal>;
