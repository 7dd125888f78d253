/**
 * The server's side of the operator channel: while a server has the embedded database open, a
 * `certdesk` command cannot open it too (lock.ts), so it asks the server to run the operation
 * instead. One route, POST /operations, on a Unix socket of its own (socket.ts) — not on the
 * platform's HTTP port, not in its OpenAPI description. The request is logged by operation and
 * actor only: a new staff member's password passes through it.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { Logger } from 'pino';
import { AppError } from '../domain/errors.ts';
import { runOperation, type OperatorContext } from './operations.ts';
import { requestSchema, type OperatorResponse } from './protocol.ts';
import { assertPrivateDirectory, socketAddress, socketDirOf, socketPathOf } from './socket.ts';

const MAX_REQUEST_BYTES = 1024 * 1024;

export interface OperatorChannel {
  /** Where a `certdesk` command finds it, once it listens. */
  readonly socketPath: string;
  readonly listening: boolean;
  /**
   * Never fails the server's start: a file system that refuses Unix sockets, or a socket
   * directory someone else owns, leaves the channel closed (logged), and commands then say the
   * server does not answer instead of touching its database.
   */
  listen(): Promise<void>;
  close(): Promise<void>;
}

async function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The channel of the embedded database in `dataDir` (the PGlite directory this server holds). */
export function createOperatorChannel(options: { dataDir: string; context: OperatorContext; log: Logger }): OperatorChannel {
  const { context, log } = options;
  const socketPath = socketPathOf(options.dataDir);

  async function answer(req: http.IncomingMessage): Promise<OperatorResponse> {
    if (req.method !== 'POST' || req.url !== '/operations') return { ok: false, message: '未知的运维请求' };
    const body = await readBody(req);
    let json: unknown;
    try {
      json = body === undefined ? undefined : JSON.parse(body);
    } catch {
      json = undefined;
    }
    const parsed = requestSchema.safeParse(json);
    if (!parsed.success) return { ok: false, message: '运维请求格式有误：命令行与服务器的版本是否一致？' };
    const { actor, operation } = parsed.data;
    log.info({ operation: operation.name, actor }, 'operator command');
    try {
      return { ok: true, outcome: await runOperation(context, { kind: 'system', id: actor }, operation) };
    } catch (error) {
      if (!(error instanceof AppError)) log.error({ err: error, operation: operation.name, actor }, 'operator command failed');
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  const server = http.createServer((req, res) => {
    void answer(req)
      .catch((error: unknown): OperatorResponse => {
        log.error({ err: error }, 'operator channel failed');
        return { ok: false, message: '服务器处理运维请求时出错，详见服务器日志' };
      })
      .then((response) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
        res.end(JSON.stringify(response));
      });
  });
  let address: ReturnType<typeof socketAddress> | undefined;

  return {
    socketPath,
    get listening() {
      return server.listening;
    },
    async listen() {
      try {
        const dir = socketDirOf(options.dataDir);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        chmodSync(dir, 0o700);
        assertPrivateDirectory(dir);
        // This process holds the database's lock, so a socket left here is a dead server's.
        rmSync(socketPath, { force: true });
        address = socketAddress(options.dataDir);
        const at = address.path;
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(at, () => {
            server.off('error', reject);
            resolve();
          });
        });
        chmodSync(at, 0o600);
      } catch (error) {
        address?.release();
        if (server.listening) server.close();
        log.warn({ err: error, socketPath }, 'operator channel closed: certdesk commands cannot reach this server');
      }
    },
    async close() {
      if (!server.listening) return;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      address?.release();
    },
  };
}
