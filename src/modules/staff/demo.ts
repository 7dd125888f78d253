/**
 * Demo staff: in demo mode one account per role is created at start-up if absent, with a known
 * password and the authenticator already bound to a fixed secret, and /dev/staff shows each
 * account's current TOTP code so that a tester needs no phone. Nothing here runs in production:
 * seeding needs mode 'demo' and the page needs the /dev pages.
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../domain/errors.ts';
import { staffRoleLabels, type StaffRole } from '../../domain/principal.ts';
import { escapeHtml, renderDevPage } from '../../dev/html.ts';
import { seal, unseal } from '../../security/keys.ts';
import { accountView, createAccount } from './accounts.ts';
import * as repo from './repository.ts';
import { currentCode, secondsLeftInStep, totpSecretFromBytes } from './totp.ts';

export const DEMO_STAFF_PASSWORD = 'CertDesk-demo-2026';

export const demoStaff: ReadonlyArray<{ username: string; displayName: string; role: StaffRole }> = [
  { username: 'reviewer', displayName: '演示审核员', role: 'reviewer' },
  { username: 'finance', displayName: '演示财务', role: 'finance' },
  { username: 'producer', displayName: '演示制证员', role: 'producer' },
  { username: 'admin', displayName: '演示管理员', role: 'admin' },
];

/** The same on every start and every machine, so a tester's authenticator keeps working. */
export function demoTotpSecret(username: string): string {
  return totpSecretFromBytes(createHash('sha1').update(`certdesk-demo-totp:${username}`).digest());
}

export async function seedDemoStaff(db: Db, totpKey: Buffer, now: Date, log: Logger): Promise<void> {
  for (const demo of demoStaff) {
    if (await repo.findByUsername(db, demo.username)) continue;
    try {
      await createAccount(
        db,
        { kind: 'system', id: 'demo-seed' },
        { username: demo.username, displayName: demo.displayName, password: DEMO_STAFF_PASSWORD, roles: [demo.role] },
        now,
        seal(totpKey, demoTotpSecret(demo.username)),
      );
      log.info({ username: demo.username }, 'demo staff account created');
    } catch (err) {
      // Another instance starting at the same moment created it first.
      if (!(err instanceof AppError && err.code === 'USERNAME_TAKEN')) throw err;
    }
  }
}

function secretStillDemo(sealed: string | null, totpKey: Buffer, username: string): boolean {
  if (!sealed) return false;
  try {
    return z.string().parse(unseal(totpKey, sealed)) === demoTotpSecret(username);
  } catch {
    return false;
  }
}

export const staffDevRoutes: FastifyPluginAsync<{ db: Db; totpKey: Buffer; clock: () => Date }> = async (app, { db, totpKey, clock }) => {
  app.get('/dev/staff', { schema: { hide: true } }, async (_request, reply) => {
    const now = clock();
    const rows: string[] = [];
    for (const demo of demoStaff) {
      const row = await repo.findByUsername(db, demo.username);
      const view = row && accountView(row, now);
      const code = row && secretStillDemo(row.totpSecretSealed, totpKey, demo.username) ? currentCode(demoTotpSecret(demo.username), now) : undefined;
      const codeCell = code
        ? `<span class="code">${code}</span> <span class="left">（${secondsLeftInStep(now)} 秒后更新）</span>`
        : `<span class="left">${row ? '已重新绑定身份验证器，请使用其验证器' : '—'}</span>`;
      rows.push(
        `<tr data-username="${escapeHtml(demo.username)}"${code ? ` data-code="${code}"` : ''}>` +
          `<td>${escapeHtml(demo.username)}</td><td>${escapeHtml(demo.displayName)}</td>` +
          `<td>${escapeHtml(staffRoleLabels[demo.role])}</td><td>${escapeHtml(DEMO_STAFF_PASSWORD)}</td>` +
          `<td>${codeCell}</td><td>${escapeHtml(view ? view.statusLabel : '未创建（仅演示模式下自动创建）')}</td></tr>`,
      );
    }
    const html = renderDevPage({
      title: '演示员工账号',
      note:
        '本页面仅在开发或演示模式下存在：演示账号的动态验证码由固定密钥生成，任何人都能算出，切勿用于生产。' +
        '在 /console 输入用户名和密码后，填写下表中的当前动态验证码即可登录；同一验证码只能使用一次。页面每 5 秒自动刷新。',
      refreshSeconds: 5,
      tableMargin: 'margin-top: 1rem',
      styles: ['.code { font: bold 1.4rem ui-monospace, monospace; letter-spacing: .15em; }', '.left { color: #888; }'],
      body: `<p>员工控制台：<code>/console</code></p>
<table>
<thead><tr><th>用户名</th><th>显示名</th><th>角色</th><th>密码</th><th>当前动态验证码</th><th>状态</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`,
    });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });
};
