/**
 * A throw-away PostgreSQL cluster that a test may stop and start: its own data directory under
 * the system's temp directory, its own port on 127.0.0.1, removed at the end. Never the shared server
 * at 127.0.0.1:5432, which other suites use at the same time. initdb refuses to run as root, so as
 * root the cluster belongs to the `postgres` user. Without the PostgreSQL binaries the tests that need one
 * are skipped locally with the reason, and fail in CI (CI=true), like the browser tests.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './process.ts';

const run = promisify(execFile);

export const postgresBin = process.env['POSTGRES_BIN'] ?? '/usr/lib/postgresql/15/bin';

function findMissingPostgres(): string | undefined {
  const missing = ['initdb', 'pg_ctl'].filter((b) => !existsSync(path.join(postgresBin, b)));
  if (missing.length === 0) return undefined;
  const reason = `PostgreSQL binaries not found in ${postgresBin} (${missing.join(', ')}; set POSTGRES_BIN)`;
  if (process.env['CI']) throw new Error(`${reason}: the database-outage tests must not be skipped in CI`);
  console.warn(`Skipping tests that need a throw-away PostgreSQL: ${reason}`);
  return reason;
}

/** Why no throw-away cluster can be made here, or undefined when it can. Use with describe.skipIf. */
export const postgresMissing: string | undefined = findMissingPostgres();

export interface ThrowawayCluster {
  url: string;
  /** pg_ctl start, waiting until it accepts connections. */
  start(): Promise<void>;
  /** pg_ctl stop -m fast: every connection is terminated (57P01), as at a restart or failover. */
  stop(): Promise<void>;
  /** Stops it if it runs and deletes its directory. */
  remove(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
async function pgTool(tool: string, args: string[]): Promise<void> {
  const binary = path.join(postgresBin, tool);
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  await run(file, argv, { timeout: 60_000 });
}

async function postgresOwner(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all(['-u', '-g'].map(async (flag) => Number((await run('id', [flag, 'postgres'])).stdout.trim())));
  return { uid: uid!, gid: gid! };
}

export async function createThrowawayCluster(): Promise<ThrowawayCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), 'certdesk-pg-'));
  if (asRoot) {
    const { uid, gid } = await postgresOwner();
    await chown(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const port = await freePort();
  try {
    await pgTool('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off`;
  let running = false;
  const cluster: ThrowawayCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await pgTool('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
      running = true;
    },
    async stop() {
      await pgTool('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      running = false;
    },
    async remove() {
      if (running) await pgTool('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (err) {
    await cluster.remove();
    throw err;
  }
  return cluster;
}
