/**
 * The embedded directory's lock, across real processes: of several that try at the same instant
 * exactly one gets it; a holder killed with -9 leaves a file that names it but no lock; whoever is
 * refused reads who holds it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryLockedError, lockDirectory, lockPathOf, tryLockDirectory } from './lock.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const lockModule = new URL('./lock.ts', import.meta.url).href;

/**
 * A process that waits until `startAt` (ms since the epoch), tries the lock once and prints `got`
 * or `refused`, then holds what it got until its standard input closes.
 */
function contender(dir: string, startAt: number): { child: ChildProcess; verdict: Promise<string> } {
  const code = `
    const { tryLockDirectory } = await import(${JSON.stringify(lockModule)});
    while (Date.now() < ${startAt}) {}
    let lock;
    try { lock = tryLockDirectory(${JSON.stringify(dir)}, { kind: 'cli', command: 'test' }); process.stdout.write('got\\n'); }
    catch (error) { process.stdout.write(error.name === 'DirectoryLockedError' ? 'refused\\n' : 'error ' + error.message + '\\n'); }
    process.stdin.resume();
    process.stdin.on('end', () => { lock?.release(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const verdict = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (exitCode) => reject(new Error(`contender exited (${exitCode}) before trying: ${out}`)));
  });
  return { child, verdict };
}

const exited = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));

describe('the embedded directory lock', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'certdesk-lock-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('goes to exactly one of four processes that try at the same moment', { timeout: 60_000 }, async () => {
    const dir = path.join(base, 'race');
    // Far enough ahead that all four have loaded the module and spin on the clock.
    const startAt = Date.now() + 2500;
    const contenders = Array.from({ length: 4 }, () => contender(dir, startAt));
    try {
      const verdicts = await Promise.all(contenders.map((c) => c.verdict));
      expect(verdicts.sort()).toEqual(['got', 'refused', 'refused', 'refused']);
    } finally {
      for (const c of contenders) c.child.stdin?.end();
      await Promise.all(contenders.map((c) => exited(c.child)));
    }
  });

  it('is free again once its holder is killed with -9, though the file still names it', { timeout: 60_000 }, async () => {
    const dir = path.join(base, 'killed');
    const holder = contender(dir, 0);
    expect(await holder.verdict).toBe('got');
    expect(() => tryLockDirectory(dir, { kind: 'server' })).toThrow(DirectoryLockedError);
    holder.child.kill('SIGKILL');
    await exited(holder.child);
    expect(JSON.parse(await readFile(lockPathOf(dir), 'utf8'))).toMatchObject({ pid: holder.child.pid, kind: 'cli' });
    const lock = tryLockDirectory(dir, { kind: 'server' });
    expect(JSON.parse(await readFile(lockPathOf(dir), 'utf8'))).toMatchObject({ pid: process.pid, kind: 'server' });
    lock.release();
  });

  it('tells whoever is refused who holds it; waits for a command to finish, never for a server', async () => {
    const dir = path.join(base, 'named');
    const server = tryLockDirectory(dir, { kind: 'server' });
    try {
      const refused = (() => {
        try {
          tryLockDirectory(dir, { kind: 'cli', command: 'cert issue' });
        } catch (error) {
          return error;
        }
      })();
      expect(refused).toBeInstanceOf(DirectoryLockedError);
      expect((refused as DirectoryLockedError).holder).toMatchObject({ pid: process.pid, kind: 'server' });
      expect((refused as Error).message).toBe(
        `内嵌数据库 ${dir} 已由 CertDesk 服务器（进程 ${process.pid}）打开，同一时间只能有一个进程使用它。` +
          '请先停止该进程，或为这个实例另设 DATA_DIR；多个实例共用数据请使用 PostgreSQL（DATABASE_URL）。',
      );
      // A server's lock is final: refused at once, however long one would wait.
      await expect(lockDirectory(dir, { kind: 'server' }, 60_000)).rejects.toThrow('已由 CertDesk 服务器');
    } finally {
      server.release();
    }

    const command = tryLockDirectory(dir, { kind: 'cli', command: 'crl' });
    const waiting = lockDirectory(dir, { kind: 'server' }, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    command.release();
    (await waiting).release();
    expect(() => tryLockDirectory(dir, { kind: 'cli', command: 'crl' }).release()).not.toThrow();
  });
});
