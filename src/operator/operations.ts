/**
 * The operator's commands as operations on a context — a database, the configuration and the CA —
 * that either the CLI's own process or the running server provides. Both call the same service
 * functions (createAccount, verifyAuditChain, the CA service) and write the same lines; the audit
 * log names the operator (`cli:<user>`) wherever the operation ran.
 */
import pino from 'pino';
import type { Config } from '../config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { DirectoryLockedError, isEmbeddedDirectory, tryLockDirectory, type DirectoryLock } from '../db/lock.ts';
import { AppError } from '../domain/errors.ts';
import { verifyAuditChain } from '../modules/audit/chain.ts';
import { familyLabels, keyFamilies } from '../modules/ca/authority.ts';
import { initCaModule, openCaModule, type CaModule, type CaModuleDeps } from '../modules/ca/index.ts';
import { profileLabel } from '../modules/ca/views.ts';
import { rotateCaPassphrase } from '../modules/ca/passphrase-rotation.ts';
import { createAccount } from '../modules/staff/accounts.ts';
import { revocationReasonLabels } from '../pki/crl.ts';
import { toPem } from '../pki/der.ts';
import type { KeyFamily } from '../pki/signer.ts';
import { deriveKeys, loadMasterSecret } from '../security/keys.ts';
import { dumpDatabase } from './database-backup.ts';
import type { Operation, Outcome } from './protocol.ts';

export type OperatorActor = { kind: 'system'; id: string };

export interface OperatorContext {
  config: Config;
  database: Database;
  clock: () => Date;
  /** The CA services: the server's running module, or one opened for the command. */
  ca(): Promise<CaModule>;
  /** What creating CAs needs, with `actor` in their audit records. */
  caDeps(actor: OperatorActor): Promise<CaModuleDeps>;
}

const printed = (stdout: string[], extra: Partial<Outcome> = {}): Outcome => ({ stdout, stderr: [], exitCode: 0, ...extra });

/** Where `ca init` left the private keys, for the operator to back up (files) or not (token). */
function keyLocations(config: Config, families: readonly KeyFamily[]): string[] {
  const p11 = config.ca.pkcs11;
  const onToken = families.filter((f) => p11?.families.includes(f));
  const inFiles = families.filter((f) => !onToken.includes(f));
  const names = (list: readonly KeyFamily[]) => list.map((f) => familyLabels[f]).join('、');
  const lines: string[] = [];
  if (onToken.length > 0) lines.push(`${names(onToken)} CA 私钥在密码设备令牌“${p11?.tokenLabel ?? ''}”中生成，不可导出。`);
  if (inFiles.length > 0) lines.push(`${names(inFiles)} CA 私钥保存在 ${config.ca.keystoreDir}，请妥善备份该目录和保护口令。`);
  return lines;
}

async function initCa(ctx: OperatorContext, actor: OperatorActor, family: string): Promise<Outcome> {
  const families = family === 'all' ? keyFamilies : keyFamilies.filter((f) => f === family);
  if (families.length === 0) throw new AppError('UNKNOWN_FAMILY', `未知算法：${family}（可用：sm2、p256、all）`);
  const deps = await ctx.caDeps(actor);
  const { casCreated, unlockKeyCheckValue } = await initCaModule(deps, families);
  // Opening once makes the seal-maker and document-signing certificates as well.
  const module = await openCaModule(deps);
  try {
    const created = families.map((f) => `已创建 ${familyLabels[f]} CA：${module.cas.roots[f].name}、${module.cas.issuing[f].name}`);
    const unlock = unlockKeyCheckValue ? [`已创建 USB Key 解锁主密钥（SM4，校验值 ${unlockKeyCheckValue}），与 CA 私钥保存在同一密钥库。`] : [];
    return printed(casCreated ? [...created, ...unlock, ...keyLocations(ctx.config, families)] : unlock);
  } finally {
    await module.close();
  }
}

async function publishCrls(ctx: OperatorContext, name: string | undefined): Promise<Outcome> {
  const { ca: service, cas } = await ctx.ca();
  const target = name === undefined ? undefined : service.caByName(name);
  if (name !== undefined && !target) throw new AppError('CA_NOT_FOUND', `没有名为“${name}”的 CA（可用：${cas.all.map((c) => c.name).join('、')}）`, 404);
  const lines: string[] = [];
  let artefact: string | undefined;
  for (const ca of target ? [target] : cas.all) {
    const crl = await service.publishCrl(ca);
    if (target) artefact = Buffer.from(crl.der).toString('base64');
    lines.push(`已签发 ${ca.name} 的吊销列表，编号 ${crl.number}`);
  }
  return printed(lines, artefact ? { artefact } : {});
}

export async function runOperation(ctx: OperatorContext, actor: OperatorActor, op: Operation): Promise<Outcome> {
  switch (op.name) {
    case 'migrate': {
      // Whoever holds the database applied the migrations when it opened it.
      const d = ctx.config.database;
      return printed([`数据库迁移完成（${d.kind === 'pglite' ? d.dataDir : 'PostgreSQL'}）`]);
    }
    case 'staff.create': {
      const { username, displayName, password, roles } = op;
      const account = await createAccount(ctx.database.db, actor, { username, displayName, password, roles }, ctx.clock());
      const consoleUrl = `${ctx.config.publicUrl ?? `http://localhost:${ctx.config.port}`}/console`;
      return printed([
        `已创建员工账户 ${account.username}（${account.displayName}），角色：${account.roleLabels.join('、')}`,
        `首次登录时在 ${consoleUrl} 用身份验证器扫描二维码，绑定动态验证码。`,
      ]);
    }
    case 'audit.verify': {
      const verdict = await verifyAuditChain(ctx.database.db);
      if (verdict.ok) return printed([`审计日志校验通过：${verdict.records} 条记录`]);
      return { stdout: [], stderr: [`审计日志校验失败：第 ${verdict.brokenAt} 条记录——${verdict.reason}`], exitCode: 1 };
    }
    case 'ca.init':
      return initCa(ctx, actor, op.family);
    case 'cert.issue': {
      const { ca: service } = await ctx.ca();
      const row = await service.issueForOperator(actor, Buffer.from(op.csrBase64, 'base64'), op.org, op.uscc, op.years);
      return {
        stdout: [],
        stderr: [`已签发 ${familyLabels[row.family as KeyFamily]} 证书，序列号 ${row.serialHex}`],
        exitCode: 0,
        artefact: Buffer.from(toPem('CERTIFICATE', row.der)).toString('base64'),
      };
    }
    case 'cert.revoke': {
      const { ca: service } = await ctx.ca();
      const { certificate, pair } = await service.revoke(actor, op.serial, op.reason);
      return printed([
        `已吊销证书 ${certificate.serialHex}（${revocationReasonLabels[op.reason]}），吊销列表已更新`,
        ...(pair ? [`同一双证书中的${profileLabel(pair.profile)} ${pair.serialHex} 已一并吊销`] : []),
      ]);
    }
    case 'crl':
      return publishCrls(ctx, op.ca);
    case 'backup.database':
      return printed([], { dump: await dumpDatabase(ctx.config, ctx.database) });
  }
}

/**
 * Runs `op` in this process: opens the configured database (under `lock`, the embedded
 * directory's lock the CLI took already), brought up to date, and the CA when the operation needs
 * it; closes both afterwards (a PKCS#11 session ends with the command).
 */
export async function runHere(config: Config, actor: OperatorActor, op: Operation, lock?: DirectoryLock): Promise<Outcome> {
  const database = await openDatabase(config.database, lock ? { lock } : {});
  let opened: CaModule | undefined;
  try {
    await database.migrate();
    const caDeps = async (who: OperatorActor): Promise<CaModuleDeps> => ({
      config,
      db: database.db,
      derivedPassphrase: deriveKeys(await loadMasterSecret(config, database.db, new Date())).caKeyPassphrase,
      clock: () => new Date(),
      log: pino({ level: 'silent' }),
      actor: who,
    });
    const ctx: OperatorContext = {
      config,
      database,
      clock: () => new Date(),
      ca: async () => (opened ??= await openCaModule(await caDeps(actor))),
      caDeps,
    };
    return await runOperation(ctx, actor, op);
  } finally {
    try {
      await opened?.close();
    } finally {
      await database.close();
    }
  }
}

/**
 * `certdesk ca rotate-passphrase`: always in this process, never in a running server (which would
 * go on escrowing keys under the passphrase it holds): on the embedded database a running server
 * refuses it by holding the lock; with PostgreSQL the operator stops every instance first.
 */
export async function rotatePassphraseHere(config: Config, actor: OperatorActor, next: string): Promise<string[]> {
  const db = config.database;
  let lock: DirectoryLock | undefined;
  if (db.kind === 'pglite' && isEmbeddedDirectory(db.dataDir)) {
    try {
      lock = tryLockDirectory(db.dataDir, { kind: 'cli', command: 'ca rotate-passphrase' });
    } catch (error) {
      if (error instanceof DirectoryLockedError) throw new AppError('ROTATE_WHILE_RUNNING', `内嵌数据库正被使用（${error.message}）：请先停止 CertDesk 服务器再更换口令`);
      throw error;
    }
  }
  const database = await openDatabase(db, lock ? { lock } : {});
  try {
    await database.migrate();
    const from = config.ca.keyPassphrase ?? deriveKeys(await loadMasterSecret(config, database.db, new Date())).caKeyPassphrase;
    const done = await rotateCaPassphrase({ db: database.db, keystoreDir: config.ca.keystoreDir, from, to: next, now: new Date(), actor });
    return [
      `已用新口令重新加密 ${done.keyFiles} 个 CA 密钥文件和 ${done.escrowedKeys} 个托管的加密私钥`,
      '请将每个实例的 CA_KEY_PASSPHRASE 设为新口令后再启动服务器；此前的备份仍使用旧口令，请一并保管旧口令直到这些备份过期',
    ];
  } finally {
    await database.close();
  }
}
