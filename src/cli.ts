/** `certdesk`: the operator's command line. A command appears here only once it works. */
import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import pino from 'pino';
import { Command } from 'commander';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { staffRoleLabels, staffRoles, type StaffRole } from './domain/principal.ts';
import { assertPasswordPolicy, parseStaffRole } from './domain/staff.ts';
import { verifyAuditChain } from './modules/audit/chain.ts';
import { familyLabels, keyFamilies } from './modules/ca/authority.ts';
import { initCaModule, openCaModule, type CaModule, type CaModuleDeps } from './modules/ca/index.ts';
import { revocableReasons, type RevocableReason } from './modules/ca/service.ts';
import { profileLabel } from './modules/ca/views.ts';
import { toPem } from './pki/der.ts';
import { revocationReasonLabels } from './pki/crl.ts';
import type { KeyFamily } from './pki/signer.ts';
import { deriveKeys, loadMasterSecret } from './security/keys.ts';
import { createAccount } from './modules/staff/accounts.ts';

/** Commander's own headings, in the language of the rest of the help. */
const helpTitles: Record<string, string> = {
  'Usage:': '用法：',
  'Options:': '选项：',
  'Commands:': '命令：',
  'Arguments:': '参数：',
  'Global Options:': '全局选项：',
};

const program = new Command()
  .name('certdesk')
  .description('CertDesk 数字证书在线受理平台 · 运维命令行')
  .helpOption('-h, --help', '显示帮助')
  .helpCommand('help [command]', '显示某个命令的帮助')
  .configureOutput({ outputError: (str, write) => write(str) })
  .configureHelp({ styleTitle: (title) => helpTitles[title] ?? title });

/** Opens the configured database, brought up to date, for the length of one command. */
async function withDatabase<T>(run: (database: Database) => Promise<T>, config = loadConfig()): Promise<T> {
  const database = await openDatabase(config.database);
  try {
    await database.migrate();
    return await run(database);
  } finally {
    await database.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  // Only the line end that `echo` or a here-string adds; a password may end in spaces.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value: string[] = [];
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          return resolve(value.join(''));
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish();
          return reject(new Error('已取消'));
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value.push(ch);
      }
    };
    stdin.on('data', onData);
  });
}

async function newPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return readStdin();
  if (!process.stdin.isTTY) throw new Error('请用 --password-stdin 从标准输入提供密码，或在终端中运行以输入密码');
  const first = await promptHidden('请输入密码（至少10位，含字母和数字）：');
  assertPasswordPolicy(first);
  const second = await promptHidden('请再次输入密码：');
  if (first !== second) throw new Error('两次输入的密码不一致');
  return first;
}

function parseRoles(words: string[]): StaffRole[] {
  const all = staffRoles.map((r) => staffRoleLabels[r]).join('、');
  if (words.length === 0) throw new Error(`请用 --role 指定至少一个角色（${all}）`);
  return words.map((w) => {
    const role = parseStaffRole(w);
    if (!role) throw new Error(`未知角色：${w}（可用：${all}）`);
    return role;
  });
}

/** Who ran the command, for the audit log. */
function operator(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

program
  .command('migrate')
  .description('应用数据库迁移（内嵌 PGlite，或 DATABASE_URL 指定的 PostgreSQL）')
  .action(async () => {
    const config = loadConfig();
    const database = await openDatabase(config.database);
    try {
      await database.migrate();
      process.stdout.write(`数据库迁移完成（${database.kind === 'pglite' ? config.dataDir : 'PostgreSQL'}）\n`);
    } finally {
      await database.close();
    }
  });

const staff = program.command('staff').description('员工账户');

staff
  .command('create')
  .description('新建员工账户（第一个管理员由此创建）；首次登录 /console 时绑定动态验证码')
  .option('--username <用户名>', '登录用的用户名（3至32位，字母开头）')
  .option('--name <显示名>', '显示名，如 张三')
  .option('--role <角色>', '角色：审核员、财务、制证员、管理员（或 reviewer、finance、producer、admin），可重复', (v: string, all: string[]) => [...all, v], [])
  .option('--password-stdin', '从标准输入读取密码（否则在终端中输入，不回显）')
  .action(async (opts: { username?: string; name?: string; role: string[]; passwordStdin?: boolean }) => {
    if (!opts.username) throw new Error('请用 --username 指定用户名');
    if (!opts.name) throw new Error('请用 --name 指定显示名');
    const roles = parseRoles(opts.role);
    const password = await newPassword(opts.passwordStdin === true);
    assertPasswordPolicy(password);
    const config = loadConfig();
    const account = await withDatabase((database) =>
      createAccount(
        database.db,
        { kind: 'system', id: operator() },
        { username: opts.username ?? '', displayName: opts.name ?? '', password, roles },
        new Date(),
      ),
      config,
    );
    const consoleUrl = `${config.publicUrl ?? `http://localhost:${config.port}`}/console`;
    process.stdout.write(
      `已创建员工账户 ${account.username}（${account.displayName}），角色：${account.roleLabels.join('、')}\n` +
        `首次登录时在 ${consoleUrl} 用身份验证器扫描二维码，绑定动态验证码。\n`,
    );
  });

const audit = program.command('audit').description('审计日志');

audit
  .command('verify')
  .description('校验审计日志的哈希链，指出第一条被改动的记录')
  .action(async () => {
    const verdict = await withDatabase((database) => verifyAuditChain(database.db));
    if (verdict.ok) {
      process.stdout.write(`审计日志校验通过：${verdict.records} 条记录\n`);
    } else {
      process.stderr.write(`审计日志校验失败：第 ${verdict.brokenAt} 条记录——${verdict.reason}\n`);
      process.exitCode = 1;
    }
  });

/** The CA as the app builds it, on the configured database and key store. */
async function caDeps(database: Database, config: ReturnType<typeof loadConfig>): Promise<CaModuleDeps> {
  const master = await loadMasterSecret(config, database.db, new Date());
  return {
    config,
    db: database.db,
    derivedPassphrase: deriveKeys(master).caKeyPassphrase,
    clock: () => new Date(),
    log: pino({ level: 'silent' }),
    actor: { kind: 'system', id: operator() },
  };
}

/** The CA module for the length of one command: a PKCS#11 session ends with it. */
async function withCa<T>(database: Database, config: ReturnType<typeof loadConfig>, run: (ca: CaModule) => Promise<T>): Promise<T> {
  const module = await openCaModule(await caDeps(database, config));
  try {
    return await run(module);
  } finally {
    await module.close();
  }
}

/** Where `ca init` left the private keys, for the operator to back up (files) or not (token). */
function keyLocations(config: ReturnType<typeof loadConfig>, families: readonly KeyFamily[]): string[] {
  const p11 = config.ca.pkcs11;
  const onToken = families.filter((f) => p11?.families.includes(f));
  const inFiles = families.filter((f) => !onToken.includes(f));
  const names = (list: readonly KeyFamily[]) => list.map((f) => familyLabels[f]).join('、');
  const lines: string[] = [];
  if (onToken.length > 0) lines.push(`${names(onToken)} CA 私钥在密码设备令牌“${p11?.tokenLabel ?? ''}”中生成，不可导出。`);
  if (inFiles.length > 0) lines.push(`${names(inFiles)} CA 私钥保存在 ${config.ca.keystoreDir}，请妥善备份该目录和保护口令。`);
  return lines;
}

const ca = program.command('ca').description('证书认证机构（CA）');

ca.command('init')
  .description('创建根 CA 和签发 CA（私钥加密保存在 CA_KEYSTORE_DIR；CA_KEYSTORE=pkcs11 时按算法在密码设备中生成）')
  .option('--family <算法>', 'sm2、p256 或 all', 'all')
  .action(async (opts: { family: string }) => {
    const families: readonly KeyFamily[] =
      opts.family === 'all' ? keyFamilies : keyFamilies.includes(opts.family as KeyFamily) ? [opts.family as KeyFamily] : [];
    if (families.length === 0) throw new Error(`未知算法：${opts.family}（可用：sm2、p256、all）`);
    const config = loadConfig();
    await withDatabase(async (database) => {
      const deps = await caDeps(database, config);
      await initCaModule(deps, families);
      // Opening once makes the seal-maker and document-signing certificates as well.
      const module = await openCaModule(deps);
      try {
        for (const family of families) {
          process.stdout.write(`已创建 ${familyLabels[family]} CA：${module.cas.roots[family].name}、${module.cas.issuing[family].name}\n`);
        }
      } finally {
        await module.close();
      }
      for (const line of keyLocations(config, families)) process.stdout.write(`${line}\n`);
    }, config);
  });

const cert = program.command('cert').description('证书');

cert
  .command('issue')
  .description('按 PKCS#10 证书请求签发单位签名证书（算法由请求中的密钥决定）')
  .option('--csr <文件>', 'PEM 或 DER 格式的证书请求')
  .option('--org <单位名称>', '证书主题中的单位名称')
  .option('--uscc <统一社会信用代码>', '证书主题中的统一社会信用代码')
  .option('--years <年>', '有效期（服务年限，1–3 年）', '1')
  .option('--out <文件>', '写出证书（PEM）；省略时输出到标准输出')
  .action(async (opts: { csr?: string; org?: string; uscc?: string; years: string; out?: string }) => {
    if (!opts.csr) throw new Error('请用 --csr 指定证书请求文件');
    if (!opts.org) throw new Error('请用 --org 指定单位名称');
    if (!opts.uscc || !/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(opts.uscc)) throw new Error('请用 --uscc 指定 18 位统一社会信用代码');
    if (!/^[123]$/.test(opts.years)) throw new Error('--years 只能是 1、2 或 3（年）');
    const csr = new Uint8Array(await readFile(opts.csr));
    const config = loadConfig();
    const row = await withDatabase(
      (database) =>
        withCa(database, config, ({ ca: service }) =>
          service.issueForOperator({ kind: 'system', id: operator() }, csr, opts.org ?? '', opts.uscc ?? '', Number(opts.years)),
        ),
      config,
    );
    const pem = toPem('CERTIFICATE', row.der);
    if (opts.out) await writeFile(opts.out, pem);
    else process.stdout.write(pem);
    process.stderr.write(`已签发 ${familyLabels[row.family]} 证书，序列号 ${row.serialHex}\n`);
  });

cert
  .command('revoke')
  .description('吊销证书，并重新生成吊销列表')
  .option('--serial <序列号>', '证书序列号（十六进制）')
  .option('--reason <原因>', revocableReasons.map((r) => `${r}（${revocationReasonLabels[r]}）`).join('、'), 'unspecified')
  .action(async (opts: { serial?: string; reason: string }) => {
    if (!opts.serial) throw new Error('请用 --serial 指定证书序列号');
    if (!revocableReasons.includes(opts.reason as RevocableReason)) throw new Error(`未知吊销原因：${opts.reason}（可用：${revocableReasons.join('、')}）`);
    const config = loadConfig();
    const { certificate: row, pair } = await withDatabase(
      (database) => withCa(database, config, ({ ca: service }) => service.revoke({ kind: 'system', id: operator() }, opts.serial ?? '', opts.reason as RevocableReason)),
      config,
    );
    process.stdout.write(`已吊销证书 ${row.serialHex}（${revocationReasonLabels[opts.reason as RevocableReason]}），吊销列表已更新\n`);
    if (pair) process.stdout.write(`同一双证书中的${profileLabel(pair.profile)} ${pair.serialHex} 已一并吊销\n`);
  });

program
  .command('crl')
  .description('重新签发吊销列表（CRL）')
  .option('--ca <名称>', 'CA 名称，如 sm2-issuing；省略时为全部 CA')
  .option('--out <文件>', '写出 CRL（DER），须同时指定 --ca')
  .action(async (opts: { ca?: string; out?: string }) => {
    if (opts.out && !opts.ca) throw new Error('使用 --out 时请用 --ca 指定一个 CA');
    const config = loadConfig();
    await withDatabase(async (database) => withCa(database, config, async ({ ca: service, cas }) => {
      const targets = opts.ca ? [service.caByName(opts.ca)] : cas.all;
      for (const target of targets) {
        if (!target) throw new Error(`没有名为“${opts.ca ?? ''}”的 CA（可用：${cas.all.map((c) => c.name).join('、')}）`);
        const crl = await service.publishCrl(target);
        if (opts.out) await writeFile(opts.out, crl.der);
        process.stdout.write(`已签发 ${target.name} 的吊销列表，编号 ${crl.number}\n`);
      }
    }), config);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `错误：${err instanceof Error ? err.message : String(err)}`}\n`);
  process.exit(1);
});
