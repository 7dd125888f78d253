/**
 * The operator's command line (`certdesk staff create`, `certdesk audit verify`, run as a separate
 * process as an operator would) and the demo accounts of `npm start`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { auditLog } from '../../src/db/schema.ts';
import { createAccount } from '../../src/modules/staff/accounts.ts';
import { DEMO_STAFF_PASSWORD } from '../../src/modules/staff/demo.ts';
import { movableClock, startTestApp, type TestApp } from '../support/app.ts';
import { runCertdesk } from '../support/process.ts';
import { TestClient, type ErrorBody } from '../support/http.ts';
import {
  STAFF_PASSWORD as PASSWORD,
  randomUsername,
  staffLogIn,
  type AccountBody,
  type PasswordStep,
  type StaffSessionBody,
} from '../support/staff.ts';

const clock = movableClock();

const certdesk = runCertdesk;
/**
 * The audit-chain check and the demo run on an embedded database of their own whatever
 * DATABASE_URL says, so the PostgreSQL run would repeat them unchanged: they run in the other.
 */
const sharedPhase = Boolean(process.env['DATABASE_URL']);

describe('certdesk 命令行', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certdesk-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('creates the first administrator, who then logs in at the console', { timeout: 240_000 }, async () => {
    const dir = await tempDir();
    // The configured database: a PGlite directory, or the PostgreSQL of DATABASE_URL when set.
    const env = { DATA_DIR: dir };
    const username = randomUsername();
    const [help, weak, badRole, created] = await Promise.all([
      // As `npx certdesk` runs it (the other commands here run the run's prebuilt copy).
      certdesk(['staff', 'create', '--help'], env, undefined, { viaEntryPoint: true }),
      certdesk(['staff', 'create', '--username', randomUsername(), '--name', '某人', '--role', '管理员', '--password-stdin'], { DATA_DIR: `${dir}-weak` }, 'password\n'),
      certdesk(['staff', 'create', '--username', randomUsername(), '--name', '某人', '--role', '老板', '--password-stdin'], { DATA_DIR: `${dir}-role` }, `${PASSWORD}\n`),
      certdesk(
        ['staff', 'create', '--username', username, '--name', '张管理', '--role', '管理员', '--role', 'reviewer', '--password-stdin'],
        env,
        `${PASSWORD}\n`,
      ),
    ]);
    dirs.push(`${dir}-weak`, `${dir}-role`);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('用法');
    expect(help.stdout).toContain('--password-stdin');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('密码至少10位，且须同时包含字母和数字');
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('未知角色：老板');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`已创建员工账户 ${username}（张管理），角色：审核员、管理员`);
    expect(created.stdout).toContain('/console');
    expect(created.stdout).toContain('绑定动态验证码');

    const app = await startTestApp({
      clock: clock.now,
      config: process.env['DATABASE_URL'] ? {} : { database: { kind: 'pglite', dataDir: path.join(dir, 'pglite') } },
    });
    try {
      const admin = await staffLogIn(app, clock, username);
      expect(admin.principal.roles).toEqual(['reviewer', 'admin']);
      const list = await admin.client.get<{ accounts: AccountBody['account'][] }>('/api/staff/accounts');
      expect(list.body.accounts.map((a) => a.username)).toContain(username);
      if (!process.env['DATABASE_URL']) {
        // Alone in its own database, the first administrator cannot give up the role.
        const res = await admin.client.request<ErrorBody>('PUT', `/api/staff/accounts/${admin.principal.id}/roles`, { roles: ['reviewer'] });
        expect(res.status).toBe(409);
        expect(res.body.error.message).toBe('至少需要保留一个启用的管理员账户');
      }
    } finally {
      await app.close();
    }
  });

  it.skipIf(sharedPhase)('verifies the audit chain, and names the record edited by SQL', { timeout: 240_000 }, async () => {
    // Always an embedded database of its own: editing an audit row breaks the chain for everyone after it.
    const env = { DATA_DIR: await tempDir(), DATABASE_URL: undefined };
    const fresh = await certdesk(['audit', 'verify'], env);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout.trim()).toBe('审计日志校验通过：0 条记录');

    const database = await openDatabase({ kind: 'pglite', dataDir: path.join(env.DATA_DIR, 'pglite') });
    for (const name of ['first', 'second', 'third']) {
      await createAccount(database.db, { kind: 'system', id: 'test' }, { username: `${name}.admin`, displayName: name, password: PASSWORD, roles: ['admin'] }, new Date());
    }
    await database.close();
    const whole = await certdesk(['audit', 'verify'], env);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout.trim()).toBe('审计日志校验通过：3 条记录');

    const edit = await openDatabase({ kind: 'pglite', dataDir: path.join(env.DATA_DIR, 'pglite') });
    const [second] = await edit.db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.entityType, 'staff_account')).orderBy(auditLog.id).offset(1).limit(1);
    if (!second) throw new Error('no second audit record');
    await edit.db.execute(sql`UPDATE audit_log SET data = jsonb_set(data, '{roles}', '["reviewer"]') WHERE id = ${second.id}`);
    await edit.close();
    const broken = await certdesk(['audit', 'verify'], env);
    expect(broken.code).toBe(1);
    expect(broken.stderr.trim()).toBe(`审计日志校验失败：第 ${second.id} 条记录——记录内容与其哈希不符（记录被修改）`);
  });
});

describe.skipIf(sharedPhase)('演示模式', () => {
  let demo: TestApp;
  beforeAll(async () => {
    // Its own embedded database even with DATABASE_URL: the demo accounts have fixed names.
    demo = await startTestApp({ config: { mode: 'demo', database: { kind: 'pglite', dataDir: 'memory://' } } });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('seeds one account per role and shows each one\'s current code at /dev/staff', async () => {
    const page = await fetch(`${demo.url}/dev/staff`);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const label of ['审核员', '财务', '制证员', '管理员']) expect(html).toContain(label);
    expect(html).toContain(DEMO_STAFF_PASSWORD);
    const code = /data-username="admin" data-code="(\d{6})"/.exec(html)?.[1];
    if (!code) throw new Error(`no code for admin at /dev/staff:\n${html}`);

    const client = new TestClient(demo.url);
    const step = await client.post<PasswordStep>('/api/staff/login', { username: 'admin', password: DEMO_STAFF_PASSWORD });
    expect(step.body.next).toBe('totp');
    const res = await client.post<StaffSessionBody>('/api/staff/login/totp', { ticket: step.body.ticket, code });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    client.csrfToken = res.body.csrfToken;
    const list = await client.get<{ accounts: AccountBody['account'][] }>('/api/staff/accounts');
    expect(list.body.accounts.map((a) => [a.username, a.roles])).toEqual(
      expect.arrayContaining([
        ['reviewer', ['reviewer']],
        ['finance', ['finance']],
        ['producer', ['producer']],
        ['admin', ['admin']],
      ]),
    );
  });

});
