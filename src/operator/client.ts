/**
 * The CLI's side: where a command runs. With PostgreSQL (DATABASE_URL) it runs here, as any number
 * of processes may share that server. On the embedded database it takes the directory's lock: got
 * it, no server runs and the command runs here, holding the lock to the end; a server holds it,
 * the command goes to that server's operator socket; another command holds it, it waits for it.
 * Loaded without the database or the CA, so that a command sent to the server starts quickly.
 */
import http from 'node:http';
import type { Config } from '../config.ts';
import { DirectoryLockedError, isEmbeddedDirectory, tryLockDirectory, type DirectoryLock, type LockHolder } from '../db/lock.ts';
import { responseSchema, type OperatorRequest, type Outcome } from './protocol.ts';
import { socketAddress, socketPathOf } from './socket.ts';

/** Nobody listens on the socket (yet): nothing was sent, so trying again is safe. */
class NotListening extends Error {}

/** Sent, and then the server went away: the operation may or may not have been done. */
const interrupted = (error: NodeJS.ErrnoException) =>
  new Error(`与 CertDesk 服务器的连接中断（${error.code ?? error.message}），命令是否已执行未知：请核对后再决定是否重试`);

function send(dataDir: string, request: OperatorRequest): Promise<Outcome> {
  let address: ReturnType<typeof socketAddress>;
  try {
    address = socketAddress(dataDir);
  } catch {
    return Promise.reject(new NotListening());
  }
  const body = JSON.stringify(request);
  return new Promise<Outcome>((resolve, reject) => {
    let connected = false;
    const req = http.request(
      { socketPath: address.path, method: 'POST', path: '/operations', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) => reject(interrupted(error)));
        res.on('end', () => {
          try {
            const answer = responseSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            if (answer.ok) resolve(answer.outcome);
            else reject(new Error(answer.message));
          } catch {
            reject(new Error('CertDesk 服务器的应答无法识别：命令行与服务器的版本是否一致？'));
          }
        });
      },
    );
    req.on('socket', (socket) => socket.once('connect', () => (connected = true)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected && (error.code === 'ENOENT' || error.code === 'ECONNREFUSED')) reject(new NotListening());
      else reject(interrupted(error));
    });
    req.on('close', () => address.release());
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function waitingFor(holder: LockHolder | undefined): string {
  if (holder?.kind === 'server') return `等待 CertDesk 服务器（进程 ${holder.pid}）完成启动…`;
  if (holder?.kind === 'cli') return `等待 certdesk${holder.command ? ` ${holder.command}` : ''} 命令（进程 ${holder.pid}）结束…`;
  return '等待另一个进程关闭内嵌数据库…';
}

export interface Placement {
  /** Runs the operation in this process; `lock` is the embedded directory's, held for the command. */
  here(lock?: DirectoryLock): Promise<Outcome>;
  /** Told once when the command has to wait (a server starting, another command running). */
  notify(line: string): void;
}

/**
 * Runs `operation` where the database is: here, or in the running server. Waits up to `waitMs`
 * for a starting server's socket or for another command to finish.
 */
export async function execute(config: Config, request: OperatorRequest, command: string, placement: Placement, waitMs = 60_000): Promise<Outcome> {
  const database = config.database;
  if (database.kind === 'postgres' || !isEmbeddedDirectory(database.dataDir)) return placement.here();
  const dir = database.dataDir;
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    let lock: DirectoryLock;
    try {
      lock = tryLockDirectory(dir, { kind: 'cli', command });
    } catch (error) {
      if (!(error instanceof DirectoryLockedError)) throw error;
      if (error.holder?.kind === 'server') {
        try {
          return await send(dir, request);
        } catch (sendError) {
          if (!(sendError instanceof NotListening)) throw sendError;
        }
      }
      if (Date.now() >= deadline) {
        if (error.holder?.kind === 'server') {
          throw new Error(`CertDesk 服务器（进程 ${error.holder.pid}）已打开内嵌数据库 ${dir}，但它的运维通道 ${socketPathOf(dir)} 没有应答：请检查服务器是否正常运行`);
        }
        throw error;
      }
      if (!told) placement.notify(waitingFor(error.holder));
      told = true;
      await sleep(200);
      continue;
    }
    return placement.here(lock);
  }
}
