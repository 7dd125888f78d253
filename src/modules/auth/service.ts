/**
 * auth use cases: 获取验证码, 注册/登录 with a code, sessions for applicants and staff, 退出.
 * Staff passwords and second factors are the staff module's; it opens its sessions here, and a
 * staff session resolves through the staff directory on every request, so that a disabled account
 * or a changed role takes effect at once. Counters and sessions live in the database, so limits
 * hold across restarts and across app instances; an applicant's session, once read, is kept a
 * few seconds (session-cache.ts) while no session is ended.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuthPolicy } from '../../config.ts';
import type { ChangeFeed } from '../../db/change-feed.ts';
import type { Db, Tx } from '../../db/database.ts';
import { AppError } from '../../domain/errors.ts';
import {
  CODE_PATTERN,
  assertMayIssueCode,
  attemptRefusal,
  judgeAttempt,
  startOfShanghaiDay,
} from '../../domain/login-code.ts';
import { isMainlandMobile, maskPhone } from '../../domain/phone.ts';
import type { Principal, PrincipalKind } from '../../domain/principal.ts';
import { LAST_SEEN_GRANULARITY_MS, isSessionLive } from '../../domain/session.ts';
import { hmacHex } from '../../security/keys.ts';
import type { SmsSender } from '../notifications/sms.ts';
import * as repo from './repository.ts';
import { createSessionCache } from './session-cache.ts';

export interface AuthServiceDeps {
  db: Db;
  policy: AuthPolicy;
  codeHmacKey: Buffer;
  sms: SmsSender;
  clock: () => Date;
  log: Logger;
  /** What was written since a session was read (session-cache.ts); without it every request reads its session. */
  changes?: ChangeFeed;
  /** The staff member behind a staff session, or undefined when the account is gone or disabled. */
  staffPrincipal?: (id: string) => Promise<Extract<Principal, { kind: 'staff' }> | undefined>;
}

export interface RequestContext {
  ip: string;
  userAgent: string;
}

export interface ResolvedSession {
  tokenHash: string;
  principal: Principal;
  csrfToken: string;
}

export interface OpenedSession {
  token: string;
  tokenHash: string;
  csrfToken: string;
}

export type AuthService = ReturnType<typeof createAuthService>;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function assertPhone(phone: string): void {
  if (!isMainlandMobile(phone)) throw new AppError('PHONE_INVALID', '请输入正确的手机号码');
}

export function createAuthService(deps: AuthServiceDeps) {
  const { db, policy, clock, log } = deps;
  const codeHash = (phone: string, code: string) => hmacHex(deps.codeHmacKey, phone, code);
  const sessions = createSessionCache(deps.changes);

  /** What each one-time code is for: the SMS it goes out in, and the log's word. */
  const codePurposes = {
    login: { template: 'login_code', what: 'login code' },
    loss_report: { template: 'loss_report_code', what: 'loss report code' },
  } as const satisfies Record<repo.CodePurpose, { template: 'login_code' | 'loss_report_code'; what: string }>;

  /**
   * 获取验证码 (to log in, or to confirm a 挂失): the same limits per phone and per address for
   * every purpose. The answer is the same whether or not the phone is registered.
   */
  async function requestCode(phone: string, ctx: RequestContext, purpose: repo.CodePurpose = 'login'): Promise<{ cooldownSeconds: number }> {
    assertPhone(phone);
    const now = clock();
    const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
    const message = { phone, template: codePurposes[purpose].template, params: { code } };
    await db.transaction(async (tx) => {
      await repo.lockPhone(tx, phone);
      const window = { ip: ctx.ip, dayStart: startOfShanghaiDay(now), hourAgo: new Date(now.getTime() - 3600_000), now };
      const history = await repo.replaceLiveCode(
        tx,
        { phone, purpose, codeHash: codeHash(phone, code), createdAt: now, expiresAt: new Date(now.getTime() + policy.codeTtlSeconds * 1000) },
        window,
      );
      // Judged on the history before this code; a refusal rolls the new code back.
      assertMayIssueCode(policy, history, now);
      // Queued with the code: a code that cannot be queued is not stored (nor counted against the
      // phone), and one stored is never left unsent by a process killed after the commit.
      await deps.sms.enqueue(message, tx).catch((err: unknown) => {
        log.error({ phone: maskPhone(phone), err: String(err) }, `could not queue ${codePurposes[purpose].what}`);
        throw new AppError('SMS_UNAVAILABLE', '短信发送失败，请稍后再试', 503);
      });
    });
    log.info({ phone: maskPhone(phone) }, `${codePurposes[purpose].what} issued`);
    return { cooldownSeconds: policy.resendCooldownSeconds };
  }

  /**
   * Checks a code sent for `purpose` (not login: that opens a session, see login) and uses it up:
   * the same attempt limits as at login; a wrong code is counted before the refusal is thrown.
   */
  async function confirmCode(phone: string, code: string, purpose: Exclude<repo.CodePurpose, 'login'>): Promise<void> {
    if (!CODE_PATTERN.test(code)) throw new AppError('CODE_FORMAT', '请输入6位数字验证码');
    const now = clock();
    const refused = await db.transaction(async (tx) => {
      await repo.lockPhone(tx, phone);
      const live = await repo.liveCode(tx, phone, purpose);
      const outcome = judgeAttempt(policy, live, !!live && sameHex(live.codeHash, codeHash(phone, code)), now);
      if (!live) throw new Error('unreachable: judgeAttempt refuses a missing code');
      if (outcome.kind !== 'accepted') {
        await repo.recordFailure(tx, live.id, outcome.failedAttempts, outcome.kind === 'burned' ? now : null);
        return attemptRefusal(outcome);
      }
      await repo.markUsed(tx, live.id, now);
      return undefined;
    });
    if (refused) throw refused;
  }

  /**
   * A fresh session for a principal whose credentials were just checked, inside the caller's
   * transaction. The session id rotates at login: whatever session the browser brought is ended.
   */
  async function openSession(
    tx: Tx,
    principalKind: PrincipalKind,
    principalId: string,
    ctx: RequestContext & { previousToken: string | undefined },
    now: Date,
  ): Promise<OpenedSession> {
    if (ctx.previousToken) await repo.deleteSession(tx, sha256(ctx.previousToken));
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const tokenHash = sha256(token);
    await repo.insertSession(tx, {
      tokenHash,
      principalKind,
      principalId,
      csrfToken,
      createdAt: now,
      lastSeenAt: now,
      ip: ctx.ip,
      userAgent: ctx.userAgent.slice(0, 512),
    });
    return { token, tokenHash, csrfToken };
  }

  /** Ends every session of a principal, inside the caller's transaction. */
  async function endSessionsOf(tx: Tx, principalKind: PrincipalKind, principalId: string): Promise<void> {
    await repo.deleteSessionsOf(tx, principalKind, principalId);
  }

  /** 注册/登录: checks the code, registers a new phone, and opens a fresh session. */
  async function login(
    phone: string,
    code: string,
    ctx: RequestContext & { previousToken: string | undefined },
  ): Promise<{ token: string; session: ResolvedSession }> {
    assertPhone(phone);
    if (!CODE_PATTERN.test(code)) throw new AppError('CODE_FORMAT', '请输入6位数字验证码');
    const now = clock();

    const result = await db.transaction(async (tx) => {
      await repo.lockPhone(tx, phone);
      const live = await repo.liveCode(tx, phone);
      const outcome = judgeAttempt(policy, live, !!live && sameHex(live.codeHash, codeHash(phone, code)), now);
      if (!live) throw new Error('unreachable: judgeAttempt refuses a missing code');
      if (outcome.kind !== 'accepted') {
        // The failure is committed before the refusal is thrown, or the count would roll back.
        await repo.recordFailure(tx, live.id, outcome.failedAttempts, outcome.kind === 'burned' ? now : null);
        return { ok: false, refused: attemptRefusal(outcome) } as const;
      }
      await repo.markUsed(tx, live.id, now);
      const applicant = await repo.upsertApplicant(tx, phone, now);
      const opened = await openSession(tx, 'applicant', applicant.id, ctx, now);
      return { ok: true, applicant, opened } as const;
    });

    if (!result.ok) {
      log.info({ phone: maskPhone(phone), outcome: result.refused.code }, 'login refused');
      throw result.refused;
    }
    log.info({ phone: maskPhone(phone), applicantId: result.applicant.id }, 'applicant logged in');
    return {
      token: result.opened.token,
      session: {
        tokenHash: result.opened.tokenHash,
        csrfToken: result.opened.csrfToken,
        principal: { kind: 'applicant', id: result.applicant.id, phone },
      },
    };
  }

  async function resolveSession(token: string): Promise<ResolvedSession | undefined> {
    const tokenHash = sha256(token);
    const now = clock();
    let row = sessions.get(tokenHash, now);
    // A kept row that looks ended is read again: another instance may have seen the session since.
    if (row && !isSessionLive(policy, row, now)) {
      sessions.forget(tokenHash);
      row = undefined;
    }
    const kept = row !== undefined;
    let position: number | undefined;
    if (!row) ({ row, position } = await sessions.read(tokenHash, () => repo.findSession(db, tokenHash)));
    if (!row) return undefined;
    if (!isSessionLive(policy, row, now)) {
      await repo.deleteSession(db, tokenHash);
      return undefined;
    }
    if (now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_GRANULARITY_MS) {
      await repo.touchSession(db, tokenHash, now);
      row = { ...row, lastSeenAt: now };
      sessions.touched(tokenHash, now);
    }
    if (!kept && row.applicantPhone !== null) sessions.keep(row, now, position);
    if (row.principalKind === 'staff') {
      const staff = await deps.staffPrincipal?.(row.principalId);
      if (!staff) {
        // Disabled or removed: the session ends now, not at its idle limit.
        await repo.deleteSession(db, tokenHash);
        return undefined;
      }
      return { tokenHash, csrfToken: row.csrfToken, principal: staff };
    }
    if (row.applicantPhone === null) return undefined;
    return {
      tokenHash,
      csrfToken: row.csrfToken,
      principal: { kind: 'applicant', id: row.principalId, phone: row.applicantPhone },
    };
  }

  /** 退出; inside the caller's transaction when it records the logout. */
  async function logout(tokenHash: string, tx: Db | Tx = db): Promise<void> {
    await repo.deleteSession(tx, tokenHash);
  }

  /** The phone an applicant logs in with: where notices about their applications go. */
  /** The phone an applicant logs in with (where their notices go); inside the caller's transaction when given. */
  const applicantPhone = (applicantId: string, conn: Db | Tx = db) => repo.phoneOf(conn, applicantId);

  return { requestCode, confirmCode, login, openSession, endSessionsOf, resolveSession, logout, applicantPhone };
}
