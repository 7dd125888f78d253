/**
 * One owner of the embedded database (PGlite in DATA_DIR), with real processes as an operator runs
 * them, on one DATA_DIR and one CA throughout: `certdesk` commands beside a running server go to
 * it over its operator socket, and the server knows their writes at once (OCSP, /api/verify, the
 * staff list) and after a restart; a second server on the same DATA_DIR refuses to start, naming
 * the first; a server killed with -9 in the middle of acknowledged writes restarts with every one
 * of them, five times over; with no server running the commands open the database themselves,
 * and everything they did is audited with the operator as the actor either way.
 *
 * PGlite only: with DATABASE_URL any number of processes share the PostgreSQL server, commands
 * write to it directly, and ca.test.ts and staff-cli.test.ts show the server seeing that.
 */
import { randomInt } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { auditLog } from '../../src/db/schema.ts';
import { toPem } from '../../src/pki/der.ts';
import { opensslDir, type OpensslDir } from '../../src/pki/test-openssl.ts';
import { TestClient } from '../support/http.ts';
import { freePort, runCertdesk, runServerToExit, startServerProcess, type ServerProcess } from '../support/process.ts';
import { STAFF_PASSWORD, passwordStep, randomUsername, staffLogIn, type AccountBody } from '../support/staff.ts';

const shared = Boolean(process.env['DATABASE_URL']);
if (shared) console.warn('embedded-owner: skipped with DATABASE_URL — the lock and the operator socket are PGlite’s');

const realClock = { now: () => new Date() };
const operator = `cli:${userInfo().username}`;
const ORG = '内蒙古测试科技有限公司';
const USCC = '91150100MA0N000001';

describe.skipIf(shared)('one owner of the embedded database', () => {
  let dir: string;
  let ossl: OpensslDir;
  let port: number;
  let server: ServerProcess | undefined;
  let admin: TestClient;
  // Info: the operator channel's log lines are checked (they must never carry a password).
  const env = () => ({ DATA_DIR: dir, CERTDESK_MODE: 'development', LOG_LEVEL: 'info' });
  const certdesk = (args: string[], input?: string) => runCertdesk(args, env(), input);
  const url = () => `http://127.0.0.1:${port}`;
  const start = async () => (server = await startServerProcess(env(), port));

  /** Certificates and accounts the server must know from now on, whatever happened to it since. */
  let laterSerial = '';
  const valid = new Set<string>();
  const revoked = new Set<string>();
  const accounts = new Set<string>();

  async function newCsr(name: string): Promise<string> {
    await ossl.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', `${name}.key`);
    await ossl.openssl('req', '-new', '-key', `${name}.key`, '-sha256', '-subj', '/CN=ignored', '-out', `${name}.csr`);
    return ossl.path(`${name}.csr`);
  }

  async function issue(name: string) {
    const run = await certdesk(['cert', 'issue', '--csr', ossl.path(`${name}.csr`), '--org', ORG, '--uscc', USCC, '--out', ossl.path(`${name}.pem`)]);
    return { run, serial: /序列号 ([0-9a-f]+)/.exec(run.stderr)?.[1] ?? '' };
  }

  async function ocsp(name: string): Promise<string> {
    const out = await ossl.openssl('ocsp', '-issuer', 'p256-issuing.pem', '-cert', `${name}.pem`, '-url', `${url()}/ocsp`, '-CAfile', 'p256-chain.pem');
    expect(out).toContain('Response verify OK');
    return /: (good|revoked|unknown)/.exec(out)?.[1] ?? out;
  }

  async function verdict(serial: string): Promise<string> {
    const res = await new TestClient(url()).get<{ verdictLabel: string }>(`/api/verify/serial/${serial}`);
    return res.body.verdictLabel;
  }

  /** What the running server knows agrees with everything recorded above. */
  async function expectServerKnowsAll() {
    const list = await admin.get<{ accounts: AccountBody['account'][] }>('/api/staff/accounts');
    expect(list.status).toBe(200);
    const listed = new Set(list.body.accounts.map((a) => a.username));
    expect([...accounts].filter((u) => !listed.has(u))).toEqual([]);
    for (const serial of valid) expect(await verdict(serial), serial).toBe('有效');
    for (const serial of revoked) expect(await verdict(serial), serial).toBe('已吊销');
  }

  beforeAll(async () => {
    // Deeper than a Unix socket path may be (107 bytes): the channel then goes through the directory's descriptor.
    dir = path.join(await mkdtemp(path.join(tmpdir(), 'certdesk-owner-')), 'd'.repeat(80));
    ossl = await opensslDir();
    port = await freePort();
    await start();
    for (const role of ['root', 'issuing']) {
      const res = await fetch(`${url()}/ca/p256-${role}.crt`);
      await ossl.write(`p256-${role}.pem`, toPem('CERTIFICATE', new Uint8Array(await res.arrayBuffer())));
    }
    await ossl.write('p256-chain.pem', Buffer.concat([await ossl.read('p256-issuing.pem'), await ossl.read('p256-root.pem')]));
    await Promise.all(['live', 'later', 'offline', ...[0, 1, 2, 3, 4].map((r) => `round${r}`)].map(newCsr));
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await ossl?.remove();
    if (dir) await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it('refuses a second server on the same DATA_DIR, naming the first', { timeout: 120_000 }, async () => {
    // Started as `npm start` starts it (the other processes here run the run's prebuilt copy).
    const second = await runServerToExit(env(), await freePort(), { viaEntryPoint: true });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`启动失败：内嵌数据库 ${path.join(dir, 'pglite')} 已由 CertDesk 服务器（进程 ${server?.pid}）打开`);
    expect(second.stdout).not.toContain('已启动');
    expect((await fetch(`${url()}/healthz`)).status).toBe(200);
  });

  it('runs each command in the running server, which knows its writes at once', { timeout: 120_000 }, async () => {
    const socket = path.join(dir, 'pglite.run', 'certdesk.sock');
    expect(Buffer.byteLength(socket)).toBeGreaterThan(107);
    expect(server?.output()).toContain(`运维命令行：certdesk 命令经 ${socket} 交由本服务器执行`);
    expect((await stat(path.dirname(socket))).mode & 0o777).toBe(0o700);
    expect((await stat(socket)).mode & 0o777).toBe(0o600);

    const username = randomUsername();
    const created = await certdesk(['staff', 'create', '--username', username, '--name', '运维管理员', '--role', '管理员', '--password-stdin'], `${STAFF_PASSWORD}\n`);
    expect(created.code, created.stderr).toBe(0);
    // The server logs the command and who ran it, never the password that passed through it.
    expect(server?.output()).toMatch(/"operation":"staff\.create","actor":"cli:[^"]+","msg":"operator command"/);
    expect(server?.output()).not.toContain(STAFF_PASSWORD);
    expect(created.stdout).toContain(`已创建员工账户 ${username}（运维管理员），角色：管理员`);
    expect(created.stdout).toContain(`/console 用身份验证器扫描二维码`);
    admin = (await staffLogIn({ url: url() }, realClock, username)).client;
    accounts.add(username);

    const live = await issue('live');
    expect(live.run.code, live.run.stderr).toBe(0);
    expect(live.run.stderr).toContain('已签发 ECDSA P-256 证书，序列号');
    expect(await ossl.openssl('verify', '-CAfile', 'p256-chain.pem', 'live.pem')).toContain('live.pem: OK');
    expect(await ocsp('live')).toBe('good');
    expect(await verdict(live.serial)).toBe('有效');

    const revoke = await certdesk(['cert', 'revoke', '--serial', live.serial, '--reason', 'keyCompromise']);
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(revoke.stdout.trim()).toBe(`已吊销证书 ${live.serial}（密钥泄露），吊销列表已更新`);
    expect(await ocsp('live')).toBe('revoked');
    revoked.add(live.serial);

    const later = await issue('later');
    expect(later.run.code, later.run.stderr).toBe(0);
    valid.add(later.serial);
    laterSerial = later.serial;

    const crl = await certdesk(['crl', '--ca', 'p256-issuing', '--out', ossl.path('cli.crl')]);
    expect(crl.code, crl.stderr).toBe(0);
    const number = /编号 (\d+)/.exec(crl.stdout)?.[1];
    expect(crl.stdout.trim()).toBe(`已签发 p256-issuing 的吊销列表，编号 ${number}`);
    const written = await ossl.openssl('crl', '-inform', 'DER', '-in', 'cli.crl', '-CAfile', 'p256-chain.pem', '-noout', '-text');
    expect(written).toContain('verify OK');
    expect(written.toLowerCase()).toContain(live.serial);
    // The server publishes that very CRL: it was made in its process.
    await ossl.write('served.crl', new Uint8Array(await (await fetch(`${url()}/crl/p256-issuing.crl`)).arrayBuffer()));
    const served = /crlNumber=0x([0-9A-F]+)/.exec(await ossl.openssl('crl', '-inform', 'DER', '-in', 'served.crl', '-noout', '-crlnumber'))?.[1];
    expect(parseInt(served ?? '', 16)).toBe(Number(number));

    const audit = await certdesk(['audit', 'verify']);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/^审计日志校验通过：\d+ 条记录\n$/);
    // Errors read as they would in the CLI's own process.
    const again = await certdesk(['ca', 'init']);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe('错误：SM2 CA 已存在且私钥可用，不会重复创建');
    const twice = await certdesk(['cert', 'revoke', '--serial', live.serial]);
    expect(twice.code).toBe(1);
    expect(twice.stderr.trim()).toBe('错误：该证书已吊销');
  });

  it('keeps every acknowledged write through kill -9 in the middle of writes, five times', { timeout: 300_000 }, async () => {
    for (let round = 0; round < 5; round++) {
      if (!server) await start();
      // Staff accounts made over HTTP (each one a row and an audit record), as fast as two clients
      // can, and a certificate issued through the operator socket meanwhile.
      let killed = false;
      const acknowledged: string[] = [];
      const writer = async () => {
        while (!killed) {
          const username = randomUsername();
          const res = await admin
            .post('/api/staff/accounts', { username, displayName: `第${round}轮`, password: STAFF_PASSWORD, roles: ['reviewer'] })
            .catch(() => undefined);
          if (res?.status === 201) acknowledged.push(username);
        }
      };
      const writers = [writer(), writer()];
      const issuance = issue(`round${round}`);
      const target = randomInt(3, 12);
      while (acknowledged.length < target) await new Promise((r) => setTimeout(r, 10));
      await server?.kill();
      server = undefined;
      killed = true;
      await Promise.all(writers);
      for (const username of acknowledged) accounts.add(username);
      // Answered before the kill: recorded. Cut off by it: the CLI says so instead of claiming success.
      const cli = await issuance;
      if (cli.run.code === 0) valid.add(cli.serial);
      else expect(cli.run.stderr).toContain('与 CertDesk 服务器的连接中断');

      if (round < 4) {
        await start();
        await expectServerKnowsAll();
        expect(await ocsp('live')).toBe('revoked');
      }
    }
  });

  it('runs the commands itself when no server runs — after that crash, too — audited as the operator', { timeout: 240_000 }, async () => {
    // The last round left the server killed: a lock file naming a dead process and its socket.
    expect(server).toBeUndefined();
    const username = randomUsername();
    const created = await certdesk(['staff', 'create', '--username', username, '--name', '离线创建', '--role', '审核员', '--password-stdin'], `${STAFF_PASSWORD}\n`);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`已创建员工账户 ${username}（离线创建），角色：审核员`);
    accounts.add(username);
    const offline = await issue('offline');
    expect(offline.run.code, offline.run.stderr).toBe(0);
    const revoke = await certdesk(['cert', 'revoke', '--serial', laterSerial, '--reason', 'superseded']);
    expect(revoke.code, revoke.stderr).toBe(0);
    valid.delete(laterSerial);
    revoked.add(laterSerial);
    valid.add(offline.serial);
    const crl = await certdesk(['crl']);
    expect(crl.code, crl.stderr).toBe(0);
    expect(crl.stdout.trim().split('\n').map((l) => l.replace(/编号 \d+/, '编号 N'))).toEqual(
      ['sm2-root', 'p256-root', 'sm2-issuing', 'p256-issuing'].map((name) => `已签发 ${name} 的吊销列表，编号 N`),
    );

    // Every CLI write, in the server or here, names the operator in the audit log.
    const database = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
    try {
      const records = await database.db
        .select({ action: auditLog.action, actorId: auditLog.actorId, data: auditLog.data })
        .from(auditLog)
        .where(inArray(auditLog.action, ['certificate.issue', 'certificate.revoke', 'staff.create']));
      const byOperator = records.filter((r) => r.actorId === operator);
      const serials = (action: string) => byOperator.filter((r) => r.action === action).map((r) => r.data['serial']);
      expect(serials('certificate.issue')).toEqual(expect.arrayContaining([...revoked, offline.serial]));
      expect(serials('certificate.revoke')).toEqual(expect.arrayContaining([...revoked]));
      expect(byOperator.filter((r) => r.action === 'staff.create').map((r) => r.data['username'])).toEqual(expect.arrayContaining([username]));
    } finally {
      await database.close();
    }

    await start();
    await expectServerKnowsAll();
    expect(await ocsp('offline')).toBe('good');
    expect((await passwordStep(new TestClient(url()), username)).body.next).toBe('enrol');
    const audit = await certdesk(['audit', 'verify']);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/^审计日志校验通过：\d+ 条记录\n$/);
  });
});
