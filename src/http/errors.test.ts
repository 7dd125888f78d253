/**
 * The one error handler's answers to infrastructure failures, from errors the real drivers throw:
 * node-postgres against a port nobody listens on, a server that hangs up or never answers, PGlite
 * raising the SQLSTATEs PostgreSQL sends (through Drizzle, which wraps them), the file system full.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database.ts';
import type { InfrastructureFailure } from '../db/failures.ts';
import { registerErrorHandler } from './errors.ts';

const reported: InfrastructureFailure[] = [];
let app: FastifyInstance;
let pglite: Database;
let refusedPort: number;
let silent: Server;
let hangingUp: Server;
const sockets: Socket[] = [];

function listen(onConnection: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((socket) => {
      sockets.push(socket);
      onConnection(socket);
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
const portOf = (server: Server) => (server.address() as { port: number }).port;

/** A query through Drizzle over node-postgres to 127.0.0.1:port. */
async function queryAt(port: number): Promise<void> {
  const pool = new pg.Pool({ host: '127.0.0.1', port, user: 'nobody', connectionTimeoutMillis: 300 });
  pool.on('error', () => {});
  try {
    await drizzle({ client: pool }).execute(sql`SELECT 1`);
  } finally {
    await pool.end();
  }
}

/** PGlite raising `condition` as PostgreSQL would send it. */
async function raise(condition: string): Promise<void> {
  await pglite.db.execute(sql.raw(`DO $$ BEGIN RAISE EXCEPTION 'raised for the test' USING ERRCODE = '${condition}'; END $$`));
}

const failures: Record<string, () => Promise<unknown>> = {
  refused: () => queryAt(refusedPort),
  'never answers': () => queryAt(portOf(silent)),
  'hangs up': () => queryAt(portOf(hangingUp)),
  'admin shutdown': () => raise('admin_shutdown'),
  'cannot connect now': () => raise('cannot_connect_now'),
  'connection failure': () => raise('connection_failure'),
  'disk full (database)': () => raise('disk_full'),
  'disk full (files)': () => writeFile('/dev/full', Buffer.alloc(64 * 1024)),
  'unique violation': () => raise('unique_violation'),
};

beforeAll(async () => {
  const closed = await listen(() => {});
  refusedPort = portOf(closed);
  await new Promise((r) => closed.close(r));
  silent = await listen(() => {});
  hangingUp = await listen((socket) => socket.destroy());
  pglite = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });

  app = Fastify({ logger: false });
  registerErrorHandler(app, { onFailure: (kind) => reported.push(kind) });
  app.get('/fail/:what', async (request) => {
    const { what } = request.params as { what: string };
    await failures[what]!();
    return 'no failure';
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await pglite?.close();
  for (const s of sockets) s.destroy();
  await Promise.all([silent, hangingUp].map((s) => new Promise((r) => s?.close(r))));
});

async function answer(what: string) {
  const res = await app.inject({ method: 'GET', url: `/fail/${encodeURIComponent(what)}` });
  return { status: res.statusCode, retryAfter: res.headers['retry-after'], body: res.json<{ error: { code: string; message: string } }>() };
}

describe('the database out of reach', () => {
  for (const what of ['refused', 'never answers', 'hangs up', 'admin shutdown', 'cannot connect now', 'connection failure']) {
    it(`answers 503 with Retry-After when the server ${what}`, async () => {
      const before = reported.length;
      const res = await answer(what);
      expect(res.status).toBe(503);
      expect(res.retryAfter).toBe('5');
      expect(res.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: '服务暂时不可用，请稍后再试' });
      expect(reported.slice(before)).toEqual(['unavailable']);
    });
  }
});

describe('a full disk', () => {
  for (const what of ['disk full (database)', 'disk full (files)']) {
    it(`answers 507 with its own message: ${what}`, async () => {
      const res = await answer(what);
      expect(res.status).toBe(507);
      expect(res.retryAfter).toBeUndefined();
      expect(res.body.error).toMatchObject({ code: 'STORAGE_FULL', message: '存储空间不足，请联系管理员' });
    });
  }
});

describe('other database errors', () => {
  it('stay 500 with the generic message', async () => {
    const before = reported.length;
    const res = await answer('unique violation');
    expect(res.status).toBe(500);
    expect(res.retryAfter).toBeUndefined();
    expect(res.body.error).toMatchObject({ code: 'INTERNAL', message: '系统繁忙，请稍后再试' });
    expect(reported.length).toBe(before);
  });
});
