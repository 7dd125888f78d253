/** `certdesk`: the operator's command line. A command appears here only once it works. */
import { userInfo } from 'node:os';
import { Command } from 'commander';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { staffRoleLabels, staffRoles, type StaffRole } from './domain/principal.ts';
import { assertPasswordPolicy, parseStaffRole } from './domain/staff.ts';
import { verifyAuditChain } from './modules/audit/chain.ts';
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

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `错误：${err instanceof Error ? err.message : String(err)}`}\n`);
  process.exit(1);
});
