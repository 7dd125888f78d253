/**
 * The database's part of a backup and of a restore.
 *
 * Embedded PGlite: the data directory as PGlite's own tarball (`dumpDataDir`), taken by whoever
 * holds the database — the running server, reached over the operator socket, or the command itself
 * when no server runs. It is taken after a CHECKPOINT and between two queries (PGlite runs one at a
 * time), so it is the image a clean stop would leave, or at worst the one a crash leaves, which
 * PostgreSQL's recovery completes on opening: every committed transaction is in it, no half of one.
 *
 * PostgreSQL: `pg_dump --format=custom`, one consistent snapshot of the whole database (a
 * repeatable-read transaction), restored with `pg_restore`. Chosen over an export of our own tables
 * through SQL because pg_dump knows everything a restore needs and we would have to re-create by
 * hand — the job queue's partitioned tables, functions and types, every sequence, the migrations'
 * bookkeeping — and because it is the tool a PostgreSQL operator already trusts. Without it the
 * backup stops and names the package (postgresql-client), rather than writing an archive that
 * would not restore. Its major version must be at least the server's (pg_dump refuses otherwise).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { AppError } from '../domain/errors.ts';
import { socketDirOf } from './socket.ts';

export interface DatabaseDump {
  kind: 'pglite' | 'postgres';
  /** Where the dump was written; the command moves it into the archive. */
  file: string;
  /** pg_dump's version line (PostgreSQL). */
  tool?: string;
}

/** Runs `command` and resolves with its standard output; rejects with its standard error. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err.trim() || `${command} exited with ${code}`))));
  });
}

/** pg_dump / pg_restore from PATH, or POSTGRES_BIN's directory. */
function postgresTool(name: 'pg_dump' | 'pg_restore'): string {
  const dir = process.env['POSTGRES_BIN'];
  return dir ? path.join(dir, name) : name;
}

async function toolVersion(name: 'pg_dump' | 'pg_restore'): Promise<string> {
  try {
    return (await run(postgresTool(name), ['--version'])).trim();
  } catch {
    throw new AppError(
      'POSTGRES_TOOL_MISSING',
      `找不到 ${name}：备份和恢复 PostgreSQL 数据库需要它（Debian/Ubuntu：apt-get install postgresql-client，版本不低于数据库服务器；或用 POSTGRES_BIN 指定其目录）`,
    );
  }
}

/** The database's dump, as the holder of the database writes it. */
export async function dumpDatabase(config: Config, database: Database): Promise<DatabaseDump> {
  if (config.database.kind === 'pglite') {
    if (!database.dumpDataDir) throw new Error('embedded database without dumpDataDir');
    await database.executeSql('CHECKPOINT');
    const tarball = Buffer.from(await (await database.dumpDataDir()).arrayBuffer());
    // Beside the operator socket: a directory only the server's user enters, which the command reads.
    const dir = socketDirOf(config.database.dataDir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    const file = path.join(dir, `backup-${randomBytes(8).toString('hex')}.tar`);
    await writeFile(file, tarball, { mode: 0o600 });
    return { kind: 'pglite', file };
  }
  const tool = await toolVersion('pg_dump');
  const dir = await mkdtemp(path.join(tmpdir(), 'certdesk-pg-dump-'));
  const file = path.join(dir, 'postgres.dump');
  await run(postgresTool('pg_dump'), ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, `--dbname=${config.database.url}`]).catch((err: unknown) => {
    throw new AppError('POSTGRES_DUMP_FAILED', `pg_dump 失败：${err instanceof Error ? err.message : String(err)}`);
  });
  return { kind: 'postgres', file, tool };
}

/** The schemas a CertDesk database has: ours, the migrations' bookkeeping, the job queue's. */
const SCHEMAS = ['public', 'drizzle', 'pgboss'];

/**
 * PostgreSQL: loads `file` into the database of `url`. With `asideSuffix` the schemas there are
 * renamed first (`public_before_restore_<suffix>` …), kept for the operator to drop once satisfied,
 * and the restore runs into an empty database as on a new one. Returns the renamed schemas.
 */
export async function restorePostgres(url: string, file: string, asideSuffix?: string): Promise<string[]> {
  await toolVersion('pg_restore');
  const aside: string[] = [];
  if (asideSuffix) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ name: string }>('SELECT nspname AS name FROM pg_namespace WHERE nspname = ANY($1)', [SCHEMAS]);
      for (const { name } of rows) {
        const renamed = `${name}_before_restore_${asideSuffix}`;
        await client.query(`ALTER SCHEMA ${name} RENAME TO ${renamed}`);
        aside.push(renamed);
      }
      await client.query('CREATE SCHEMA public');
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      await client.end();
    }
  }
  const args = ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${url}`, file];
  await run(postgresTool('pg_restore'), args).catch((err: unknown) => {
    throw new AppError('POSTGRES_RESTORE_FAILED', `pg_restore 失败：${err instanceof Error ? err.message : String(err)}`);
  });
  return aside;
}
