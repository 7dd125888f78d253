/**
 * `certdesk backup --out FILE` and `certdesk restore FILE`: one gzipped tar archive of an
 * installation —
 *
 *   manifest.json          what is in it, and the SHA-256 and size of every other file
 *   database/pglite.tar    the embedded database (PGlite's data directory), or
 *   database/postgres.dump pg_dump's custom format (database-backup.ts)
 *   blobs/…                the local blob store's files, as they are under DATA_DIR/blobs
 *   keys/…                 the CA key store's files: PKCS#8, still encrypted under CA_KEY_PASSPHRASE
 *
 * Consistent: the database is dumped first, then the files are read. Blobs are written once and
 * never changed (only a scan whose row was never written is deleted again), and CA key files are
 * only ever added, so every file the dumped database names is there; files written after the dump
 * are merely extra. An S3 bucket is named in the manifest, not copied (use the bucket's own
 * versioning or replication); keys on a PKCS#11 token are named (token label, families), never
 * copied — they cannot leave the token. CERTDESK_SECRET and CA_KEY_PASSPHRASE are not in the
 * archive either (outside demo mode the master secret is not in the database): keep them apart.
 *
 * Restore checks every file against the manifest before it touches anything, refuses a damaged or
 * incomplete archive, refuses to run while a server holds the embedded database, and refuses an
 * installation that already has a database, files or CA keys unless told `--force` — then the old
 * ones are moved aside (`….before-restore-<time>`), not deleted.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, copyFile, link, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { create as createTar, extract as extractTar } from 'tar';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { tryLockDirectory, DirectoryLockedError } from '../db/lock.ts';
import { AppError } from '../domain/errors.ts';
import { isKeyStoreFile } from '../pki/keystore.ts';
import { localBlobRoot } from '../storage/local.ts';
import { restorePostgres, type DatabaseDump } from './database-backup.ts';

const FORMAT = 'certdesk-backup';
const DB_FILES = { pglite: 'database/pglite.tar', postgres: 'database/postgres.dump' } as const;

const fileEntry = z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().min(0) });

export const manifestSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(1),
  createdAt: z.iso.datetime(),
  caName: z.string(),
  database: z.object({ kind: z.enum(['pglite', 'postgres']), file: z.string(), tool: z.string().optional() }),
  blobs: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('local'), files: z.number().int() }),
    z.object({ kind: z.literal('s3'), bucket: z.string(), endpoint: z.string().optional(), prefix: z.string().optional() }),
  ]),
  keystore: z.object({
    files: z.number().int(),
    /** Families whose keys are on a PKCS#11 token: named, not copied. */
    token: z.object({ label: z.string(), module: z.string(), families: z.array(z.string()) }).optional(),
  }),
  /** Every file of the archive but this one. */
  files: z.array(fileEntry),
});
export type Manifest = z.infer<typeof manifestSchema>;

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Regular files under `dir`, relative and with forward slashes; none when it does not exist. */
async function filesUnder(dir: string, keep: (name: string) => boolean = () => true): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !keep(entry.name)) continue;
    found.push(path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
  }
  return found.sort();
}

/** A blob store's file: its data or its type sidecar; not a half-written temporary file. */
const isBlobFile = (name: string) => !name.endsWith('.tmp');
const isKeyFile = isKeyStoreFile;

/** A hard link where the file system allows, a copy otherwise: the archive is read from `to`. */
async function place(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

export interface BackupSummary {
  manifest: Manifest;
  bytes: number;
  lines: string[];
}

/** Packs `dump` (already taken: the database goes first), the blobs and the key files into `out`. */
export async function writeBackup(config: Config, dump: DatabaseDump, out: string, now: Date): Promise<BackupSummary> {
  const target = path.resolve(out);
  const staging = await mkdtemp(path.join(path.dirname(target), '.certdesk-backup-'));
  try {
    const dbFile = DB_FILES[dump.kind];
    await place(dump.file, path.join(staging, dbFile));
    await rm(dump.file, { force: true });

    const blobRoot = localBlobRoot(config.dataDir);
    const blobs = config.blobs.kind === 'local' ? await filesUnder(blobRoot, isBlobFile) : [];
    for (const f of blobs) await place(path.join(blobRoot, f), path.join(staging, 'blobs', f));
    const keys = await filesUnder(config.ca.keystoreDir, isKeyFile);
    for (const f of keys) await place(path.join(config.ca.keystoreDir, f), path.join(staging, 'keys', f));

    const paths = [dbFile, ...blobs.map((f) => `blobs/${f}`), ...keys.map((f) => `keys/${f}`)];
    const files = [];
    for (const p of paths) {
      const full = path.join(staging, p);
      files.push({ path: p, sha256: await sha256Of(full), bytes: (await stat(full)).size });
    }
    const p11 = config.ca.pkcs11;
    const b = config.blobs;
    const manifest: Manifest = {
      format: FORMAT,
      version: 1,
      createdAt: now.toISOString(),
      caName: config.caName,
      database: { kind: dump.kind, file: dbFile, ...(dump.tool ? { tool: dump.tool } : {}) },
      blobs: b.kind === 'local' ? { kind: 'local', files: blobs.length } : { kind: 's3', bucket: b.bucket, ...(b.endpoint ? { endpoint: b.endpoint } : {}), ...(b.prefix ? { prefix: b.prefix } : {}) },
      keystore: { files: keys.length, ...(p11 ? { token: { label: p11.tokenLabel, module: p11.modulePath, families: p11.families } } : {}) },
      files,
    };
    await writeFile(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const partial = `${target}.partial`;
    const roots = ['manifest.json', 'database', ...(blobs.length ? ['blobs'] : []), ...(keys.length ? ['keys'] : [])];
    await createTar({ gzip: true, file: partial, cwd: staging, portable: true }, roots);
    await chmod(partial, 0o600);
    await rename(partial, target);
    const bytes = (await stat(target)).size;
    const lines = [
      `已写出备份 ${target}（${(bytes / 1024 / 1024).toFixed(1)} MB）：数据库（${dump.kind === 'pglite' ? '内嵌 PGlite' : 'PostgreSQL，pg_dump'}）、${b.kind === 'local' ? `${blobs.length} 个附件文件` : `附件在对象存储桶“${b.bucket}”中（未复制，请用存储桶的版本控制或复制功能备份）`}、${keys.length} 个 CA 密钥文件（仍以 CA_KEY_PASSPHRASE 加密）`,
      ...(p11 ? [`密码设备令牌“${p11.tokenLabel}”上的 ${p11.families.join('、')} CA 私钥不可导出，未包含在备份中：请按设备厂商的方法备份令牌`] : []),
      ...(config.secret ? ['CERTDESK_SECRET 和 CA_KEY_PASSPHRASE 不在备份中，请另行妥善保管'] : []),
    ];
    return { manifest, bytes, lines };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

const damaged = (why: string) => new AppError('BACKUP_DAMAGED', `备份文件已损坏或不完整，未作任何改动：${why}`);

/** Unpacks and checks `file` into `dir`: the manifest, when every file is there with its hash. */
export async function verifyBackup(file: string, dir: string): Promise<Manifest> {
  try {
    await extractTar({
      file,
      cwd: dir,
      strict: true,
      // Files and directories only, inside `dir` (tar refuses absolute paths and .. already).
      filter: (_p, entry) => 'type' in entry && (entry.type === 'File' || entry.type === 'Directory'),
    });
  } catch (err) {
    throw damaged(`无法解包（${err instanceof Error ? err.message : String(err)}）`);
  }
  let manifest: Manifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
  } catch {
    throw damaged('manifest.json 缺失或无法识别');
  }
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const f of manifest.files) {
    const full = path.join(dir, f.path);
    if (!full.startsWith(dir + path.sep) || !existsSync(full)) throw damaged(`缺少 ${f.path}`);
    if ((await stat(full)).size !== f.bytes || (await sha256Of(full)) !== f.sha256) throw damaged(`${f.path} 的 SHA-256 与清单不符`);
  }
  for (const extra of await filesUnder(dir)) {
    if (extra !== 'manifest.json' && !listed.has(extra)) throw damaged(`清单中没有 ${extra}`);
  }
  if (!listed.has(manifest.database.file)) throw damaged('缺少数据库');
  return manifest;
}

/** What the installation already holds: nothing, or the words that say what. */
async function existing(config: Config): Promise<string[]> {
  const found: string[] = [];
  const db = config.database;
  if (db.kind === 'pglite') {
    if (existsSync(path.join(db.dataDir, 'PG_VERSION'))) found.push(`数据库 ${db.dataDir}`);
  } else {
    const database = await openDatabase(db);
    try {
      const { rows } = await database.executeSql(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema IN ('public', 'pgboss', 'drizzle')",
        [],
      );
      if (Number((rows[0] as { n: number }).n) > 0) found.push('DATABASE_URL 指定的数据库');
    } finally {
      await database.close();
    }
  }
  if (config.blobs.kind === 'local' && (await filesUnder(localBlobRoot(config.dataDir))).length > 0) found.push(`附件目录 ${localBlobRoot(config.dataDir)}`);
  if ((await filesUnder(config.ca.keystoreDir, isKeyFile)).length > 0) found.push(`CA 密钥目录 ${config.ca.keystoreDir}`);
  return found;
}

/** Moves `dir` aside (kept, not deleted) so that the restored one takes its place. */
async function setAside(dir: string, stamp: string): Promise<string | undefined> {
  if (!existsSync(dir)) return undefined;
  const aside = `${dir}.before-restore-${stamp}`;
  await rename(dir, aside);
  return aside;
}

async function copyTree(from: string, to: string, mode?: { dir: number; file: number }): Promise<void> {
  await mkdir(to, { recursive: true, ...(mode ? { mode: mode.dir } : {}) });
  for (const f of await filesUnder(from)) {
    const dest = path.join(to, f);
    await mkdir(path.dirname(dest), { recursive: true, ...(mode ? { mode: mode.dir } : {}) });
    await copyFile(path.join(from, f), dest);
    if (mode) await chmod(dest, mode.file);
  }
}

export async function restoreBackup(config: Config, file: string, options: { force: boolean }, now: Date): Promise<string[]> {
  if (!existsSync(file)) throw new AppError('BACKUP_NOT_FOUND', `找不到备份文件：${file}`);
  const db = config.database;
  // Nobody may have the embedded database open meanwhile; held until the restored one is closed.
  let lock: ReturnType<typeof tryLockDirectory> | undefined;
  if (db.kind === 'pglite') {
    try {
      lock = tryLockDirectory(db.dataDir, { kind: 'cli', command: 'restore' });
    } catch (err) {
      if (err instanceof DirectoryLockedError) throw new AppError('RESTORE_WHILE_RUNNING', `内嵌数据库正被使用（${err.message}）：请先停止 CertDesk 服务器再恢复`);
      throw err;
    }
  }
  // Unpacked beside what it replaces (same file system), checked before anything is touched.
  await mkdir(config.dataDir, { recursive: true });
  const work = await mkdtemp(path.join(config.dataDir, '.certdesk-restore-'));
  try {
    const manifest = await verifyBackup(file, work);
    if (manifest.database.kind !== db.kind) {
      throw new AppError(
        'RESTORE_WRONG_DATABASE',
        manifest.database.kind === 'pglite'
          ? '该备份来自内嵌数据库（PGlite），请在未设置 DATABASE_URL 时恢复'
          : '该备份来自 PostgreSQL，请设置 DATABASE_URL 指向一个数据库后恢复',
      );
    }
    const found = await existing(config);
    if (found.length > 0 && !options.force) {
      throw new AppError('RESTORE_NOT_EMPTY', `目标安装不是空的（已有${found.join('、')}）：确认要以备份覆盖时请加 --force（原有目录将改名保留）`);
    }
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    const lines: string[] = [];
    const aside: string[] = [];

    if (db.kind === 'pglite') {
      const moved = await setAside(db.dataDir, stamp);
      if (moved) aside.push(moved);
      const snapshot = new Blob([await readFile(path.join(work, manifest.database.file))]);
      // PGlite writes the data directory from the tarball as it opens; closing releases the lock too.
      const restored = await openDatabase(db, { lock, pgliteSnapshot: snapshot });
      await restored.close();
    } else {
      const renamed = await restorePostgres(db.url, path.join(work, manifest.database.file), found.length > 0 ? now.toISOString().replace(/\D/g, '').slice(0, 14) : undefined);
      if (renamed.length > 0) aside.push(`数据库中的模式 ${renamed.join('、')}（确认无误后可 DROP SCHEMA … CASCADE）`);
    }
    lines.push(`已恢复数据库（备份时间 ${manifest.createdAt}）`);

    if (manifest.blobs.kind === 'local') {
      if (config.blobs.kind === 'local') {
        const moved = await setAside(localBlobRoot(config.dataDir), stamp);
        if (moved) aside.push(moved);
        await copyTree(path.join(work, 'blobs'), localBlobRoot(config.dataDir));
        lines.push(`已恢复 ${manifest.blobs.files} 个附件文件`);
      } else {
        lines.push(`备份中的 ${manifest.blobs.files} 个附件文件来自本地目录，而当前配置为对象存储：请将 ${path.join(work, 'blobs')} 中的文件上传到存储桶后再启动`);
      }
    } else {
      lines.push(`附件在对象存储桶“${manifest.blobs.bucket}”中，未包含在备份里：请确认 S3_BUCKET 指向该存储桶（或其副本）`);
    }

    const moved = await setAside(config.ca.keystoreDir, stamp);
    if (moved) aside.push(moved);
    await copyTree(path.join(work, 'keys'), config.ca.keystoreDir, { dir: 0o700, file: 0o600 });
    lines.push(`已恢复 ${manifest.keystore.files} 个 CA 密钥文件（以 CA_KEY_PASSPHRASE 加密，启动时需要同一口令）`);
    if (manifest.keystore.token) lines.push(`CA 私钥另有一部分在密码设备令牌“${manifest.keystore.token.label}”中（${manifest.keystore.token.families.join('、')}），恢复后需能访问同一令牌`);
    if (aside.length > 0) lines.push(`原有内容已改名保留：${aside.join('、')}`);
    return lines;
  } finally {
    await rm(work, { recursive: true, force: true });
    lock?.release();
  }
}
