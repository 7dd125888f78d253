/**
 * 解锁 (a USB key's user PIN is locked): the holder names the key's serial and the challenge its
 * client tool shows, on one of their certificates; an SMS code goes to the 经办人 on record; the
 * code, entered, gives the unlock code for exactly that key and that challenge
 * (pki/usb-key-unlock.ts: GM/T 0016 device authentication with SM4, the administrator key
 * diversified from the CA's master key and the serial). Only a key CertDesk recorded for this
 * holder's certificate at production is answered. Requests are counted per key and per holder
 * (rate limits), each answer is audited on the certificate's application, and neither the answer
 * nor the master key is ever stored or logged; serials appear masked.
 */
import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuthPolicy } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { attemptRefusal, CODE_PATTERN, judgeAttempt } from '../../domain/login-code.ts';
import { AppError } from '../../domain/errors.ts';
import { maskPhone } from '../../domain/phone.ts';
import type { Principal } from '../../domain/principal.ts';
import {
  assertMayRequestUnlock,
  DAY_MS,
  groupHex,
  HOUR_MS,
  maskKeySerial,
  parseChallenge,
  unlockErrors,
  type UnlockPolicy,
} from '../../domain/usb-key-unlock.ts';
import { normaliseKeySerial, unlockResponse, type BlockCipher } from '../../pki/usb-key-unlock.ts';
import { hmacHex } from '../../security/keys.ts';
import { appendAudit } from '../audit/chain.ts';
import type { SmsSender } from '../notifications/sms.ts';
import * as repo from './repository.ts';
import type { UnlockAnswer, UnlockCodeSent } from './schemas.ts';

type Applicant = Extract<Principal, { kind: 'applicant' }>;

/** What 解锁 reads of a certificate (the CA module's) and of its application (the applications module's). */
export interface UnlockCertificate {
  serialHex: string;
  applicationId: string | null;
  usbKeySerial: string | null;
  status: 'valid' | 'revoked';
}
export interface UnlockApplication {
  applicantId: string;
  operatorPhone: string;
}

export interface UsbKeyUnlockDeps {
  db: Db;
  policy: UnlockPolicy;
  /** The SMS code's validity and tries: the login code's. */
  codePolicy: AuthPolicy;
  codeHmacKey: Buffer;
  sms: SmsSender;
  /** The CA's unlock master key, from its key store; undefined until `certdesk ca init` made it. */
  masterKey: BlockCipher | undefined;
  certificate: (serialHex: string) => Promise<UnlockCertificate | undefined>;
  application: (id: string) => Promise<UnlockApplication | undefined>;
  clock: () => Date;
  log: Logger;
}

const certificateNotFound = () => new AppError('NOT_FOUND', '证书不存在', 404);

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createUsbKeyUnlockService(deps: UsbKeyUnlockDeps) {
  const { db, clock, log } = deps;
  const codeHash = (requestId: string, code: string) => hmacHex(deps.codeHmacKey, 'usb-key-unlock', requestId, code);

  /** The holder's certificate on that application, whose recorded USB key is the one named. */
  async function holdersKey(applicant: Applicant, applicationId: string, certificateSerial: string, keySerialInput: string) {
    const cert = await deps.certificate(certificateSerial);
    if (!cert || cert.applicationId !== applicationId) throw certificateNotFound();
    const app = await deps.application(applicationId);
    if (app?.applicantId !== applicant.id) throw certificateNotFound();
    if (cert.status === 'revoked') throw unlockErrors.revoked();
    if (!cert.usbKeySerial) throw unlockErrors.notUsbKey();
    const keySerial = normaliseKeySerial(keySerialInput);
    if (!keySerial) throw unlockErrors.serialRequired();
    // Timing says nothing here: the holder already sees their own key's serial on the certificate.
    if (normaliseKeySerial(cert.usbKeySerial) !== keySerial) throw unlockErrors.notHolderKey();
    return { cert, app, keySerial };
  }

  return {
    /** 获取验证码: checks the key is this holder's, counts the request, sends the code to the 经办人. */
    async requestCode(applicant: Applicant, applicationId: string, certificateSerial: string, input: { keySerial: string; challenge: string }): Promise<UnlockCodeSent> {
      const challenge = parseChallenge(input.challenge);
      const { cert, app, keySerial } = await holdersKey(applicant, applicationId, certificateSerial, input.keySerial);
      if (!deps.masterKey) throw unlockErrors.unavailable();
      const now = clock();
      const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
      const id = randomUUID();
      const message = { phone: app.operatorPhone, template: 'unlock_code', params: { code, keySerial: maskKeySerial(keySerial) } } as const;
      const row = await db.transaction(async (tx) => {
        await repo.lockHolderAndKey(tx, applicant.id, keySerial);
        const history = await repo.history(tx, applicant.id, keySerial, new Date(now.getTime() - HOUR_MS), new Date(now.getTime() - DAY_MS));
        assertMayRequestUnlock(deps.policy, history, now);
        const inserted = await repo.insert(tx, {
          id,
          applicantId: applicant.id,
          applicationId,
          certificateSerial: cert.serialHex,
          keySerial,
          challenge: Buffer.from(challenge).toString('hex'),
          phone: app.operatorPhone,
          codeHash: codeHash(id, code),
          status: 'pending',
          createdAt: now,
          expiresAt: new Date(now.getTime() + deps.codePolicy.codeTtlSeconds * 1000),
        });
        // In the request's transaction: a request that rolls back sends nothing.
        await deps.sms.enqueue(message, tx);
        return inserted;
      });
      log.info({ applicationId, keySerial: maskKeySerial(keySerial), phone: maskPhone(app.operatorPhone) }, 'usb key unlock code sent');
      return { requestId: row.id, phoneMasked: maskPhone(app.operatorPhone), expiresInSeconds: deps.codePolicy.codeTtlSeconds };
    },

    /** 获取解锁码: the SMS code entered; the answer for the request's key and challenge, audited, once. */
    async answer(applicant: Applicant, requestId: string, code: string): Promise<UnlockAnswer> {
      if (!CODE_PATTERN.test(code)) throw new AppError('CODE_FORMAT', '请输入6位数字验证码');
      const master = deps.masterKey;
      if (!master) throw unlockErrors.unavailable();
      const now = clock();
      const request = await repo.find(db, requestId);
      if (!request || request.applicantId !== applicant.id) throw unlockErrors.requestGone();
      // Revoked since the code was sent: no answer. (Read before the transaction: PGlite has one connection.)
      const cert = await deps.certificate(request.certificateSerial);
      if (!cert || cert.status === 'revoked') throw unlockErrors.revoked();
      const result = await db.transaction(async (tx) => {
        const row = await repo.lock(tx, requestId);
        if (!row) throw unlockErrors.requestGone();
        const live = row.status === 'pending' ? { expiresAt: row.expiresAt, failedAttempts: row.failedAttempts } : undefined;
        const outcome = judgeAttempt(deps.codePolicy, live, sameHex(row.codeHash, codeHash(row.id, code)), now);
        if (outcome.kind !== 'accepted') {
          // Committed before the refusal is thrown, or the count would roll back.
          await repo.settle(tx, row.id, { status: outcome.kind === 'burned' ? 'burned' : 'pending', failedAttempts: outcome.failedAttempts });
          return { ok: false, refused: attemptRefusal(outcome) } as const;
        }
        await repo.settle(tx, row.id, { status: 'answered', failedAttempts: row.failedAttempts, answeredAt: now });
        const masked = maskKeySerial(row.keySerial);
        await appendAudit(tx, {
          at: now,
          actor: applicant,
          action: 'usb_key.unlock',
          entityType: 'application',
          entityId: row.applicationId,
          data: { requestId: row.id, certificateSerial: row.certificateSerial, keySerial: masked, summary: `介质序列号 ${masked}` },
        });
        const answer = Buffer.from(unlockResponse(master, row.keySerial, Uint8Array.from(Buffer.from(row.challenge, 'hex'))))
          .toString('hex')
          .toUpperCase();
        return { ok: true, answer, masked, applicationId: row.applicationId } as const;
      });
      if (!result.ok) throw result.refused;
      log.info({ applicationId: result.applicationId, keySerial: result.masked }, 'usb key unlock answered');
      return { answer: result.answer, answerGrouped: groupHex(result.answer), keySerialMasked: result.masked };
    },
  };
}

export type UsbKeyUnlockService = ReturnType<typeof createUsbKeyUnlockService>;
