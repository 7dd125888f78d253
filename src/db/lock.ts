/**
 * One owner for an embedded database directory. PGlite is PostgreSQL inside one process: two
 * processes on the same files each keep their own copy in memory and overwrite each other's
 * writes. So whoever opens a PGlite directory holds an exclusive lock on `<dir>.lock` until it
 * closes the database or dies. The lock is the kernel's (an open-file-description lock, taken
 * through fs-native-extensions): it is released when the holder exits, killed with -9 or not, so a
 * lock left behind never blocks the next start, and of two processes starting at the same moment
 * exactly one gets it. The file only says who holds it, for the message everyone else reads; it is
 * never deleted (deleting a lock file lets two processes lock two different files).
 */
import { closeSync, constants, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { tryLock } from 'fs-native-extensions';
import { z } from 'zod';

const holderSchema = z.object({
  pid: z.number().int().positive(),
  kind: z.enum(['server', 'cli', 'process']),
  /** The certdesk command, for kind `cli`. */
  command: z.string().optional(),
  host: z.string(),
  since: z.string(),
});

export type LockHolder = z.infer<typeof holderSchema>;
/** Who opens the directory: the server (`npm start`), a `certdesk` command, or anything else (tests, scripts). */
export type LockOwner = Pick<LockHolder, 'kind' | 'command'>;

export const lockPathOf = (dir: string) => `${dir}.lock`;

/** memory:// (tests) is one process's own: nothing to lock, nobody else to reach. */
export const isEmbeddedDirectory = (dataDir: string) => !dataDir.startsWith('memory://');

function holderLabel(holder: LockHolder | undefined): string {
  if (!holder) return '另一个进程（进程号不详）';
  const where = holder.host === hostname() ? `进程 ${holder.pid}` : `主机 ${holder.host} 上的进程 ${holder.pid}`;
  // Leading spaces: the label follows Chinese text, and Latin words are set off from it.
  if (holder.kind === 'server') return ` CertDesk 服务器（${where}）`;
  if (holder.kind === 'cli') return ` certdesk${holder.command ? ` ${holder.command}` : ''} 命令（${where}）`;
  return `另一个 CertDesk 进程（${where}）`;
}

export class DirectoryLockedError extends Error {
  override name = 'DirectoryLockedError';
  constructor(
    readonly dir: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      `内嵌数据库 ${dir} 已由${holderLabel(holder)}打开，同一时间只能有一个进程使用它。` +
        (holder?.kind === 'cli'
          ? '请等该命令结束后再试。'
          : '请先停止该进程，或为这个实例另设 DATA_DIR；多个实例共用数据请使用 PostgreSQL（DATABASE_URL）。'),
    );
  }
}

export interface DirectoryLock {
  readonly path: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Who holds the lock, as its file says. A holder writes the file just after taking the lock, so
 * for an instant the file can still name the previous holder, or nothing: read again briefly then.
 */
export function readHolder(dir: string): LockHolder | undefined {
  let holder: LockHolder | undefined;
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      const parsed = holderSchema.safeParse(JSON.parse(readFileSync(lockPathOf(dir), 'utf8')));
      holder = parsed.success ? parsed.data : undefined;
    } catch {
      holder = undefined;
    }
    if (holder && (holder.host !== hostname() || alive(holder.pid))) return holder;
    Atomics.wait(pause, 0, 0, 20);
  }
  return holder;
}

/** Takes the lock now, or throws DirectoryLockedError naming its holder. */
export function tryLockDirectory(dir: string, owner: LockOwner): DirectoryLock {
  const file = lockPathOf(dir);
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o600);
  let locked = false;
  try {
    locked = tryLock(fd);
  } finally {
    if (!locked) closeSync(fd);
  }
  if (!locked) throw new DirectoryLockedError(dir, readHolder(dir));
  const holder: LockHolder = { pid: process.pid, ...owner, host: hostname(), since: new Date().toISOString() };
  ftruncateSync(fd, 0);
  writeSync(fd, `${JSON.stringify(holder)}\n`, 0);
  let released = false;
  return {
    path: file,
    release() {
      if (released) return;
      released = true;
      closeSync(fd);
    },
  };
}

/**
 * Takes the lock, waiting up to `waitMs` while a `certdesk` command holds it (commands are short);
 * a server's lock, or anyone else's, is refused at once.
 */
export async function lockDirectory(dir: string, owner: LockOwner, waitMs = 60_000): Promise<DirectoryLock> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return tryLockDirectory(dir, owner);
    } catch (error) {
      if (!(error instanceof DirectoryLockedError) || error.holder?.kind !== 'cli' || Date.now() >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
