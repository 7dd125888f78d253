/**
 * The 管理员's use cases on staff accounts: list, create, disable, enable, change roles, reset the
 * second factor. Each change and its audit record commit together. `createAccount` stands alone
 * because the CLI creates the first administrator before any session exists.
 */
import { isUuid } from '../../db/uuid.ts';
import type { Db, Tx } from '../../db/database.ts';
import { AppError } from '../../domain/errors.ts';
import { staffRoles, type StaffRole } from '../../domain/principal.ts';
import {
  assertPasswordPolicy,
  assertUsername,
  knownRoles,
  normaliseUsername,
  roleLabels,
} from '../../domain/staff.ts';
import { appendAudit, type AuditEntry } from '../audit/chain.ts';
import type { AuthService } from '../auth/service.ts';
import { forgetTotpState } from './login-state.ts';
import { hashPassword } from './password.ts';
import { forgetDevices } from './throttle.ts';
import * as repo from './repository.ts';

export type Actor = AuditEntry['actor'];

export interface NewStaffAccount {
  username: string;
  displayName: string;
  password: string;
  roles: StaffRole[];
}

export interface StaffAccountView {
  id: string;
  username: string;
  displayName: string;
  roles: StaffRole[];
  roleLabels: string[];
  totpEnrolled: boolean;
  disabled: boolean;
  /**
   * Logins from unfamiliar devices and addresses are held back now by failed attempts from them
   * (throttle.ts); the staff member's own devices and addresses are not.
   */
  locked: boolean;
  /** 正常, 待绑定动态验证码, 陌生来源登录受限 or 已停用: what the console shows. */
  statusLabel: string;
  createdAt: string;
  lastLoginAt: string | null;
}

export function accountView(row: repo.StaffAccountRow, now: Date): StaffAccountView {
  const roles = knownRoles(row.roles);
  const locked = row.lockedUntil !== null && row.lockedUntil.getTime() > now.getTime();
  const enrolled = row.totpEnrolledAt !== null;
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    roles,
    roleLabels: roleLabels(roles),
    totpEnrolled: enrolled,
    disabled: row.disabledAt !== null,
    locked,
    statusLabel: row.disabledAt ? '已停用' : locked ? '陌生来源登录受限' : enrolled ? '正常' : '待绑定动态验证码',
    createdAt: row.createdAt.toISOString(),
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
  };
}

function assertRoles(roles: readonly StaffRole[]): StaffRole[] {
  const unique = staffRoles.filter((r) => roles.includes(r));
  if (unique.length === 0) throw new AppError('ROLES_REQUIRED', '请至少选择一个角色');
  return unique;
}

const notFound = () => new AppError('STAFF_NOT_FOUND', '员工账户不存在', 404);

/**
 * Creates an account whose second factor is bound at its first login, or — for the demo accounts
 * only — already bound to `totpSecretSealed`.
 */
export async function createAccount(
  db: Db,
  actor: Actor,
  input: NewStaffAccount,
  now: Date,
  preEnrolledTotpSealed?: string,
): Promise<StaffAccountView> {
  const username = normaliseUsername(input.username);
  assertUsername(username);
  const displayName = input.displayName.trim();
  if (displayName.length === 0 || displayName.length > 50) throw new AppError('DISPLAY_NAME_INVALID', '请输入显示名（不超过50个字符）');
  assertPasswordPolicy(input.password);
  const roles = assertRoles(input.roles);
  const passwordHash = await hashPassword(input.password);
  const row = await db.transaction(async (tx) => {
    const inserted = await repo.insertIfAbsent(tx, {
      username,
      displayName,
      passwordHash,
      roles,
      totpSecretSealed: preEnrolledTotpSealed ?? null,
      totpEnrolledAt: preEnrolledTotpSealed ? now : null,
      createdAt: now,
    });
    if (!inserted) return undefined;
    await appendAudit(tx, {
      at: now,
      actor,
      action: 'staff.create',
      entityType: 'staff_account',
      entityId: inserted.id,
      data: { username, displayName, roles, totpPreEnrolled: Boolean(preEnrolledTotpSealed) },
    });
    return inserted;
  });
  if (!row) throw new AppError('USERNAME_TAKEN', '用户名已存在', 409);
  return accountView(row, now);
}

export interface AccountsDeps {
  db: Db;
  clock: () => Date;
  sessions: Pick<AuthService, 'endSessionsOf'>;
}

export function createAccountsService({ db, clock, sessions }: AccountsDeps) {
  /** Refuses a change that would leave no enabled administrator: nobody could manage staff then. */
  async function assertAdminRemains(tx: Tx, row: repo.StaffAccountRow, stillAdmin: boolean): Promise<void> {
    const isActiveAdmin = row.disabledAt === null && row.roles.includes('admin');
    if (!isActiveAdmin || stillAdmin) return;
    await repo.lockAdminRoster(tx);
    if ((await repo.countActiveAdmins(tx)) <= 1) {
      throw new AppError('LAST_ADMIN', '至少需要保留一个启用的管理员账户', 409);
    }
  }

  /** Runs one change on a locked account row with its audit record, in one transaction. */
  async function change(
    actor: Actor,
    id: string,
    action: 'staff.disable' | 'staff.enable' | 'staff.roles' | 'staff.totp_reset',
    apply: (tx: Tx, row: repo.StaffAccountRow, now: Date) => Promise<{ change: repo.StaffAccountChange; data: Record<string, unknown> }>,
  ): Promise<StaffAccountView> {
    if (!isUuid(id)) throw notFound();
    const now = clock();
    const updated = await db.transaction(async (tx) => {
      const row = await repo.lockById(tx, id);
      if (!row) throw notFound();
      const { change: fields, data } = await apply(tx, row, now);
      const next = await repo.update(tx, id, fields);
      if (!next) throw notFound();
      await appendAudit(tx, {
        at: now,
        actor,
        action,
        entityType: 'staff_account',
        entityId: id,
        data: { username: row.username, ...data },
      });
      return next;
    });
    return accountView(updated, now);
  }

  return {
    async list(): Promise<StaffAccountView[]> {
      const now = clock();
      return (await repo.list(db)).map((r) => accountView(r, now));
    },

    create(actor: Actor, input: NewStaffAccount): Promise<StaffAccountView> {
      return createAccount(db, actor, input, clock());
    },

    /** 停用: the account's sessions end in the same transaction. */
    disable(actor: Actor, id: string): Promise<StaffAccountView> {
      if (actor.id === id) throw new AppError('CANNOT_DISABLE_SELF', '不能停用自己的账户');
      return change(actor, id, 'staff.disable', async (tx, row, now) => {
        await assertAdminRemains(tx, row, false);
        await sessions.endSessionsOf(tx, 'staff', id);
        return { change: { disabledAt: row.disabledAt ?? now }, data: {} };
      });
    },

    /** 启用: also lifts the strangers' delay, since an administrator has looked at the account. */
    enable(actor: Actor, id: string): Promise<StaffAccountView> {
      return change(actor, id, 'staff.enable', async () => ({
        change: { disabledAt: null, failedLogins: 0, lockedUntil: null },
        data: {},
      }));
    },

    /** Roles are read on every request, so the change applies to open sessions at once. */
    setRoles(actor: Actor, id: string, roles: StaffRole[]): Promise<StaffAccountView> {
      const next = assertRoles(roles);
      return change(actor, id, 'staff.roles', async (tx, row) => {
        await assertAdminRemains(tx, row, next.includes('admin'));
        return { change: { roles: next }, data: { from: knownRoles(row.roles), to: next } };
      });
    },

    /**
     * 重置动态验证码 (a lost phone): the secret is dropped, the account's sessions end, and the next
     * login binds a new authenticator.
     */
    resetTotp(actor: Actor, id: string): Promise<StaffAccountView> {
      return change(actor, id, 'staff.totp_reset', async (tx, _row, now) => {
        await forgetTotpState(tx, id);
        await forgetDevices(tx, id, now);
        await sessions.endSessionsOf(tx, 'staff', id);
        return { change: { totpSecretSealed: null, totpEnrolledAt: null }, data: {} };
      });
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
