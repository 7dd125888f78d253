/**
 * staff use cases: the staff login (password → login ticket → TOTP, or enrolment of the
 * authenticator at the first login), the directory that turns a staff session into a principal on
 * every request, and the 管理员's account management (accounts.ts).
 *
 * Failed passwords and failed second factors slow guessing down by source — the browser or the
 * address, and all unfamiliar sources of an account together — with growing delays instead of
 * locking the account (throttle.ts, domain/login-throttle.ts), so that nobody can lock a staff
 * member out by failing on purpose. Counts are committed before the refusal is thrown, under the
 * account's row lock, so that parallel guesses cannot slip past the limit.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Db, Tx } from '../../db/database.ts';
import { isUuid } from '../../db/uuid.ts';
import { AppError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/principal.ts';
import { acceptTotpStep, knownRoles, normaliseUsername, roleLabels } from '../../domain/staff.ts';
import { seal, unseal } from '../../security/keys.ts';
import { appendAudit } from '../audit/chain.ts';
import type { AuthService, RequestContext, ResolvedSession } from '../auth/service.ts';
import { createAccountsService } from './accounts.ts';
import * as state from './login-state.ts';
import { decoyHash, verifyPassword } from './password.ts';
import * as repo from './repository.ts';
import * as throttle from './throttle.ts';
import { matchingSteps, newTotpSecret, otpauthUrl, qrDataUrl } from './totp.ts';

export type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;

export interface StaffProfile {
  id: string;
  username: string;
  displayName: string;
  roles: StaffPrincipal['roles'];
  roleLabels: string[];
}

export type PasswordStep =
  | { next: 'enrol'; ticket: string; otpauthUrl: string; qrDataUrl: string }
  | { next: 'totp'; ticket: string };

export interface StaffLoginContext extends RequestContext {
  previousToken: string | undefined;
  /** The browser's device cookie (throttle.ts), if it sent one. */
  deviceToken: string | undefined;
}

export interface StaffDeps {
  db: Db;
  auth: Pick<AuthService, 'openSession' | 'endSessionsOf' | 'logout'>;
  /** keys.totpSeal: seals TOTP secrets at rest. */
  totpKey: Buffer;
  clock: () => Date;
  log: Logger;
}

const SYSTEM = { kind: 'system', id: 'staff-login' } as const;

const credentialsError = () => new AppError('STAFF_CREDENTIALS', '用户名或密码错误', 401);
const disabledError = () => new AppError('STAFF_DISABLED', '账户已停用，请联系管理员', 403);
const ticketError = () => new AppError('LOGIN_TICKET_INVALID', '登录已超时，请重新输入用户名和密码', 401);
const totpErrors = {
  wrong: () => new AppError('TOTP_WRONG', '动态验证码错误', 401),
  reused: () => new AppError('TOTP_REUSED', '该动态验证码已使用，请等待下一个验证码', 401),
};

function profileOf(row: repo.StaffAccountRow): StaffProfile {
  const roles = knownRoles(row.roles);
  return { id: row.id, username: row.username, displayName: row.displayName, roles, roleLabels: roleLabels(roles) };
}

/**
 * What the auth module asks on every request with a staff session: the account, unless it is gone
 * or disabled — then the session stops working at once.
 */
export function staffDirectory(db: Db) {
  return {
    async principal(id: string): Promise<StaffPrincipal | undefined> {
      const row = await repo.findById(db, id);
      if (!row || row.disabledAt) return undefined;
      return { kind: 'staff', id: row.id, username: row.username, roles: knownRoles(row.roles) };
    },

    /** Display names by id, for "who did what" on timelines and decisions. */
    async names(ids: readonly string[]): Promise<Map<string, string>> {
      const rows = await repo.findByIds(db, [...new Set(ids)]);
      return new Map(rows.map((r) => [r.id, r.displayName]));
    },
  };
}
export type StaffDirectory = ReturnType<typeof staffDirectory>;

export function createStaffService(deps: StaffDeps) {
  const { db, auth, totpKey, clock, log } = deps;
  const accounts = createAccountsService({ db, clock, sessions: auth });

  /**
   * Records one failed attempt against its source; returns the refusal to throw once the
   * transaction commits. An attack that has gone on long enough is written down for the 管理员.
   */
  async function fail(tx: Tx, row: repo.StaffAccountRow, standing: throttle.Standing, now: Date, refusal: AppError) {
    const { alertOpened } = await throttle.recordFailure(tx, row, standing, now);
    if (alertOpened) {
      await appendAudit(tx, {
        at: now,
        actor: SYSTEM,
        action: 'staff.login_attack',
        entityType: 'staff_account',
        entityId: row.id,
        data: { username: row.username, ...alertOpened },
      });
      log.warn({ username: row.username, ...alertOpened }, 'sustained failed logins on a staff account');
    }
    return refusal;
  }

  /** Step 1: username and password. Unknown usernames get the same answer as wrong passwords. */
  async function passwordLogin(username: string, password: string, source: throttle.LoginSource): Promise<PasswordStep> {
    const name = normaliseUsername(username);
    const now = clock();
    const outcome = await db.transaction(async (tx) => {
      const row = await repo.lockByUsername(tx, name);
      if (!row) {
        await verifyPassword(await decoyHash(), password);
        return { ok: false, refused: credentialsError() } as const;
      }
      const standing = await throttle.standingOf(tx, row, source, now);
      // Inside a delay no password is checked: it would let guessing go on meanwhile.
      const held = await throttle.refusal(tx, row, standing, now);
      if (held) return { ok: false, refused: held } as const;
      if (!(await verifyPassword(row.passwordHash, password))) {
        return { ok: false, refused: await fail(tx, row, standing, now, credentialsError()) } as const;
      }
      if (row.disabledAt) return { ok: false, refused: disabledError() } as const;
      if (row.totpEnrolledAt && row.totpSecretSealed) {
        return { ok: true, next: 'totp', ticket: await state.issueTicket(tx, row.id, 'totp', now) } as const;
      }
      // A new secret at every attempt until one is confirmed: a QR code seen by someone else
      // before the owner's first login is worthless once the owner enrols.
      const secret = newTotpSecret();
      const ticket = await state.issueTicket(tx, row.id, 'enrol', now, seal(totpKey, secret));
      return { ok: true, next: 'enrol', ticket, otpauthUrl: otpauthUrl(row.username, secret) } as const;
    });
    if (!outcome.ok) {
      log.info({ username: name, outcome: outcome.refused.code }, 'staff password refused');
      throw outcome.refused;
    }
    if (outcome.next === 'totp') return { next: 'totp', ticket: outcome.ticket };
    const { ticket, otpauthUrl: uri } = outcome;
    return { next: 'enrol', ticket, otpauthUrl: uri, qrDataUrl: await qrDataUrl(uri) };
  }

  /**
   * Step 2: the ticket and a TOTP code. For 'enrol' the code proves the authenticator holds the
   * secret the QR code showed, which then becomes the account's. Either way a session opens.
   */
  async function secondFactor(
    purpose: state.TicketPurpose,
    ticket: string,
    code: string,
    ctx: StaffLoginContext,
  ): Promise<{ token: string; deviceToken: string; session: ResolvedSession; profile: StaffProfile }> {
    const accountId = state.ticketAccountId(ticket);
    if (!accountId) throw ticketError();
    const now = clock();
    const outcome = await db.transaction(async (tx) => {
      const row = await repo.lockById(tx, accountId);
      const live = row && (await state.findTicket(tx, accountId, ticket, purpose, now));
      if (!row || !live) return { ok: false, refused: ticketError() } as const;
      const standing = await throttle.standingOf(tx, row, { ip: ctx.ip, deviceToken: ctx.deviceToken }, now);
      const held = await throttle.refusal(tx, row, standing, now);
      if (held) return { ok: false, refused: held } as const;
      if (row.disabledAt) {
        await state.deleteTicket(tx, row.id);
        return { ok: false, refused: disabledError() } as const;
      }
      const sealed = purpose === 'enrol' ? (row.totpEnrolledAt ? undefined : live.pendingSecretSealed) : row.totpSecretSealed;
      if (!sealed) return { ok: false, refused: ticketError() } as const;
      const secret = z.string().parse(unseal(totpKey, sealed));

      const verdict = acceptTotpStep(matchingSteps(secret, code, now), await state.lastAcceptedStep(tx, row.id));
      if (!verdict.ok) return { ok: false, refused: await fail(tx, row, standing, now, totpErrors[verdict.reason]()) } as const;

      await state.recordAcceptedStep(tx, row.id, verdict.step, now);
      await state.deleteTicket(tx, row.id);
      const deviceToken = await throttle.recordSuccess(tx, row, standing, now);
      const updated = await repo.update(tx, row.id, {
        lastLoginAt: now,
        ...(purpose === 'enrol' ? { totpSecretSealed: sealed, totpEnrolledAt: now } : {}),
      });
      if (!updated) throw new Error('staff account vanished under its row lock');
      const actor: StaffPrincipal = { kind: 'staff', id: row.id, username: row.username, roles: knownRoles(row.roles) };
      const audit = { at: now, actor, entityType: 'staff_account', entityId: row.id } as const;
      if (purpose === 'enrol') await appendAudit(tx, { ...audit, action: 'staff.totp_enrol', data: { username: row.username } });
      await appendAudit(tx, { ...audit, action: 'staff.login', data: { username: row.username, ip: ctx.ip } });
      const opened = await auth.openSession(tx, 'staff', row.id, ctx, now);
      return { ok: true, opened, actor, deviceToken, profile: profileOf(updated) } as const;
    });
    if (!outcome.ok) {
      log.info({ accountId, outcome: outcome.refused.code }, 'staff second factor refused');
      throw outcome.refused;
    }
    log.info({ username: outcome.actor.username }, 'staff logged in');
    return {
      token: outcome.opened.token,
      deviceToken: outcome.deviceToken,
      session: { tokenHash: outcome.opened.tokenHash, csrfToken: outcome.opened.csrfToken, principal: outcome.actor },
      profile: outcome.profile,
    };
  }

  return {
    passwordLogin,
    totpLogin: (ticket: string, code: string, ctx: StaffLoginContext) => secondFactor('totp', ticket, code, ctx),
    enrol: (ticket: string, code: string, ctx: StaffLoginContext) => secondFactor('enrol', ticket, code, ctx),

    async profile(id: string): Promise<StaffProfile | undefined> {
      const row = await repo.findById(db, id);
      return row && !row.disabledAt ? profileOf(row) : undefined;
    },

    /** 退出 ends this session only (other devices stay logged in), recorded like the login. */
    async logout(session: ResolvedSession): Promise<void> {
      const p = session.principal;
      await db.transaction(async (tx) => {
        await auth.logout(session.tokenHash, tx);
        if (p.kind !== 'staff') return;
        await appendAudit(tx, {
          at: clock(),
          actor: p,
          action: 'staff.logout',
          entityType: 'staff_account',
          entityId: p.id,
          data: { username: p.username },
        });
      });
    },

    /** The 管理员's notices of sustained failed logins, with the accounts they concern. */
    async loginAlerts(): Promise<LoginAlertView[]> {
      const alerts = await throttle.openAlerts(db, clock());
      const accountsById = new Map((await repo.findByIds(db, alerts.map((a) => a.accountId))).map((r) => [r.id, r]));
      return alerts.flatMap((a) => {
        const row = accountsById.get(a.accountId);
        if (!row) return [];
        return [{ accountId: row.id, username: row.username, displayName: row.displayName, since: a.since.toISOString(), lastAt: a.lastAt.toISOString(), failures: a.failures, addresses: a.addresses }];
      });
    },

    /** 知悉: the 管理员 has seen the notice (recorded in the audit log). */
    async acknowledgeLoginAlert(actor: StaffPrincipal, accountId: string): Promise<void> {
      const now = clock();
      if (!isUuid(accountId)) throw new AppError('ALERT_NOT_FOUND', '该提醒不存在或已处理', 404);
      await db.transaction(async (tx) => {
        const row = await repo.lockById(tx, accountId);
        if (!row || !(await throttle.acknowledgeAlert(tx, row.id, now))) throw new AppError('ALERT_NOT_FOUND', '该提醒不存在或已处理', 404);
        await appendAudit(tx, { at: now, actor, action: 'staff.login_alert_ack', entityType: 'staff_account', entityId: row.id, data: { username: row.username } });
      });
    },

    ...accounts,
  };
}

export interface LoginAlertView {
  accountId: string;
  username: string;
  displayName: string;
  since: string;
  lastAt: string;
  failures: number;
  addresses: number;
}

export type StaffService = ReturnType<typeof createStaffService>;
