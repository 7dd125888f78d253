/**
 * Test setup shared by the adapters' tests against their simulators over real HTTP on 127.0.0.1.
 * For tests only.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { commonParams } from './rpc-client.ts';

export interface TestServer {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:40123, no trailing slash. */
  base: string;
}

/** A Fastify app set up by `setup`, listening on a free loopback port; close it with `app.close()`. */
export async function startTestServer(setup: (app: FastifyInstance) => Promise<void>): Promise<TestServer> {
  // forceCloseConnections: a hanging or delayed answer must not keep close() waiting.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await setup(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { app, base: `http://127.0.0.1:${address.port}` };
}

/** Routes that see a form body as the raw string: stand-ins for a misbehaving or eavesdropped vendor. */
export function rawFormRoutes(routes: (app: FastifyInstance) => void): FastifyPluginAsync {
  return async (raw) => {
    raw.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) =>
      done(null, body),
    );
    routes(raw);
  };
}

/** A loopback port nothing listens on (it did a moment ago). */
export function closedPort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

/** The common parameters of a request sent now, with a fresh nonce; Signature is not among them. */
export function freshCommonParams(action: string, version: string, accessKeyId: string): Record<string, string> {
  return commonParams({ action, version, accessKeyId, nonce: randomUUID(), timestamp: new Date() });
}
