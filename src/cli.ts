/**
 * `certdesk`: the operator's command line. A command appears here only once it works. Each one
 * reads its inputs here (files, the password) and hands an operation to operator/client.ts, which
 * runs it in this process — or, while a server has the embedded database open, in that server —
 * and prints the lines the operation wrote: the same either way.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { Command } from 'commander';
import { ConfigError, loadConfig } from './config.ts';
import { staffRoleLabels, staffRoles, type StaffRole } from './domain/principal.ts';
import { assertPasswordPolicy, parseStaffRole } from './domain/staff.ts';
import { revocableReasons, type RevocableReason } from './modules/ca/reasons.ts';
import { execute } from './operator/client.ts';
import { operatorActorSchema, type Operation, type Outcome } from './operator/protocol.ts';
import { revocationReasonLabels } from './pki/crl.ts';

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
    const actor = `cli:${userInfo().username}`;
    return operatorActorSchema.safeParse(actor).success ? actor : 'cli';
  } catch {
    return 'cli';
  }
}

/** Runs `operation` where the database is (operator/client.ts) and prints what it wrote; returns its artefact. */
async function run(command: string, operation: Operation, artefact?: (bytes: Buffer) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const actor = operator();
  const outcome: Outcome = await execute(config, { actor, operation }, command, {
    here: async (lock) => (await import('./operator/operations.ts')).runHere(config, { kind: 'system', id: actor }, operation, lock),
    notify: (line) => process.stderr.write(`${line}\n`),
  });
  if (outcome.artefact !== undefined && artefact) await artefact(Buffer.from(outcome.artefact, 'base64'));
  for (const line of outcome.stdout) process.stdout.write(`${line}\n`);
  for (const line of outcome.stderr) process.stderr.write(`${line}\n`);
  if (outcome.exitCode !== 0) process.exitCode = outcome.exitCode;
}

program
  .command('migrate')
  .description('应用数据库迁移（内嵌 PGlite，或 DATABASE_URL 指定的 PostgreSQL）')
  .action(() => run('migrate', { name: 'migrate' }));

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
    // Read here, before the database is touched; sent to the server when one runs, never logged.
    const password = await newPassword(opts.passwordStdin === true);
    assertPasswordPolicy(password);
    await run('staff create', { name: 'staff.create', username: opts.username, displayName: opts.name, password, roles });
  });

const audit = program.command('audit').description('审计日志');

audit
  .command('verify')
  .description('校验审计日志的哈希链，指出第一条被改动的记录')
  .action(() => run('audit verify', { name: 'audit.verify' }));

const ca = program.command('ca').description('证书认证机构（CA）');

ca.command('init')
  .description('创建根 CA 和签发 CA（私钥加密保存在 CA_KEYSTORE_DIR；CA_KEYSTORE=pkcs11 时按算法在密码设备中生成）')
  .option('--family <算法>', 'sm2、p256 或 all', 'all')
  .action((opts: { family: string }) => run('ca init', { name: 'ca.init', family: opts.family }));

ca.command('rotate-passphrase')
  .description('更换 CA_KEY_PASSPHRASE：用新口令重新加密 CA 密钥文件和托管的加密私钥（须先停止所有服务器）')
  .option('--new-passphrase-stdin', '从标准输入读取新口令（否则在终端中输入两次，不回显）')
  .action(async (opts: { newPassphraseStdin?: boolean }) => {
    let next: string;
    if (opts.newPassphraseStdin) next = await readStdin();
    else {
      if (!process.stdin.isTTY) throw new Error('请用 --new-passphrase-stdin 从标准输入提供新口令，或在终端中运行');
      next = await promptHidden('请输入新的 CA 私钥保护口令（至少8个字符）：');
      if ((await promptHidden('请再次输入新口令：')) !== next) throw new Error('两次输入的口令不一致');
    }
    const { rotatePassphraseHere } = await import('./operator/operations.ts');
    for (const line of await rotatePassphraseHere(loadConfig(), { kind: 'system', id: operator() }, next)) process.stdout.write(`${line}\n`);
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
    const csr = await readFile(opts.csr);
    const out = opts.out;
    await run(
      'cert issue',
      { name: 'cert.issue', csrBase64: csr.toString('base64'), org: opts.org, uscc: opts.uscc, years: Number(opts.years) },
      async (pem) => {
        if (out) await writeFile(out, pem);
        else process.stdout.write(pem);
      },
    );
  });

cert
  .command('revoke')
  .description('吊销证书，并重新生成吊销列表')
  .option('--serial <序列号>', '证书序列号（十六进制）')
  .option('--reason <原因>', revocableReasons.map((r) => `${r}（${revocationReasonLabels[r]}）`).join('、'), 'unspecified')
  .action(async (opts: { serial?: string; reason: string }) => {
    if (!opts.serial) throw new Error('请用 --serial 指定证书序列号');
    const reason = revocableReasons.find((r) => r === opts.reason);
    if (!reason) throw new Error(`未知吊销原因：${opts.reason}（可用：${revocableReasons.join('、')}）`);
    await run('cert revoke', { name: 'cert.revoke', serial: opts.serial, reason: reason satisfies RevocableReason });
  });

cert
  .command('verify')
  .description('按信任的根证书逐级核验证书链（SM2 与 P-256；OpenSSL 3.0 无法一次核验 SM2 证书链）')
  .argument('<证书文件>', 'PEM 或 DER 格式的证书')
  .option('--ca <文件>', '信任的根 CA 证书，以及签发 CA 证书（PEM 或 DER，可重复）', (v: string, all: string[]) => [...all, v], [])
  .action(async (file: string, opts: { ca: string[] }) => {
    // Offline and without the database: what a relying party can do with the files alone.
    const { certificatesIn, chainReport } = await import('./pki/chain.ts');
    const read = async (name: string) => {
      try {
        return new Uint8Array(await readFile(name));
      } catch {
        throw new Error(`无法读取文件：${name}`);
      }
    };
    const cas = (await Promise.all(opts.ca.map(read))).flatMap(certificatesIn);
    const report = chainReport(await read(file), cas, new Date());
    for (const line of report.stdout) process.stdout.write(`${line}\n`);
    for (const line of report.stderr) process.stderr.write(`${line}\n`);
    if (!report.ok) process.exitCode = 1;
  });

program
  .command('crl')
  .description('重新签发吊销列表（CRL）')
  .option('--ca <名称>', 'CA 名称，如 sm2-issuing；省略时为全部 CA')
  .option('--out <文件>', '写出 CRL（DER），须同时指定 --ca')
  .action(async (opts: { ca?: string; out?: string }) => {
    const out = opts.out;
    if (out && !opts.ca) throw new Error('使用 --out 时请用 --ca 指定一个 CA');
    await run('crl', { name: 'crl', ...(opts.ca ? { ca: opts.ca } : {}) }, async (der) => {
      if (out) await writeFile(out, der);
    });
  });

program
  .command('backup')
  .description('备份数据库、附件和 CA 密钥（加密的密钥文件）到一个文件；服务器运行时也可执行')
  .option('--out <文件>', '备份文件，如 certdesk-2026-03-01.tar.gz')
  .action(async (opts: { out?: string }) => {
    if (!opts.out) throw new Error('请用 --out 指定备份文件');
    const out = opts.out;
    const config = loadConfig();
    const actor = operator();
    // The database first, by whoever holds it (the running server, or this command); then the files.
    const outcome = await execute(config, { actor, operation: { name: 'backup.database' } }, 'backup', {
      here: async (lock) => (await import('./operator/operations.ts')).runHere(config, { kind: 'system', id: actor }, { name: 'backup.database' }, lock),
      notify: (line) => process.stderr.write(`${line}\n`),
    });
    if (!outcome.dump) throw new Error('服务器未返回数据库备份：命令行与服务器的版本是否一致？');
    const { writeBackup } = await import('./operator/backup.ts');
    const summary = await writeBackup(config, outcome.dump, out, new Date());
    for (const line of summary.lines) process.stdout.write(`${line}\n`);
  });

program
  .command('restore')
  .description('从备份文件恢复数据库、附件和 CA 密钥（须先停止服务器；先核对每个文件的 SHA-256）')
  .argument('<备份文件>', 'certdesk backup 写出的文件')
  .option('--force', '目标已有数据时仍然恢复（原有目录改名保留）')
  .action(async (file: string, opts: { force?: boolean }) => {
    const { restoreBackup } = await import('./operator/backup.ts');
    const lines = await restoreBackup(loadConfig(), file, { force: opts.force === true }, new Date());
    for (const line of lines) process.stdout.write(`${line}\n`);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `错误：${err instanceof Error ? err.message : String(err)}`}\n`);
  process.exit(1);
});
