/**
 * Request ids, as support uses them: every answer carries `X-Request-Id`; behind a trusted proxy it
 * is the proxy's own id, otherwise one made here (an outsider cannot choose what the logs say);
 * every error body names it; and every log line written for the request — Fastify's and the
 * services' — carries it as `reqId`.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app.ts';
import { randomPhone, startTestApp, testConfig, type TestApp } from '../support/app.ts';
import { TestClient, type ErrorBody } from '../support/http.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The JSON lines a logger wrote, kept in memory. */
function logLines() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { lines, raw, stream };
}

describe('without a trusted proxy', () => {
  let t: TestApp;
  const log = logLines();
  beforeAll(async () => {
    t = await startTestApp({ logger: createLogger({ ...testConfig(), logLevel: 'info' }, log.stream) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('makes an id for every answer and ignores the one a client sends', async () => {
    const a = await fetch(`${t.url}/healthz`);
    const b = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'chosen-by-outsider' } });
    const idA = a.headers.get('x-request-id');
    const idB = b.headers.get('x-request-id');
    expect(idA).toMatch(UUID);
    expect(idB).toMatch(UUID);
    expect(idB).not.toBe(idA);
  });

  it('names the request in every error body', async () => {
    const client = new TestClient(t.url);
    const cases = [
      await client.get<ErrorBody>('/api/no-such-thing'), // 404
      await client.post<ErrorBody>('/api/auth/sms-code', { phone: '123' }), // 400 validation
      await client.get<ErrorBody>('/api/applications'), // 401
    ];
    expect(cases.map((c) => c.status)).toEqual([404, 400, 401]);
    for (const res of cases) {
      expect(res.body.error.requestId).toMatch(UUID);
      expect(res.body.error.requestId).toBe(res.headers.get('x-request-id'));
    }
  });

  it('puts the id on every log line of the request, the services’ included, once', async () => {
    const phone = randomPhone();
    const res = await fetch(`${t.url}/api/auth/sms-code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone }),
    });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    const mine = log.lines.filter((l) => l['reqId'] === id);
    const messages = mine.map((l) => l['msg']);
    // Fastify's own lines and the auth service's, written through the logger it got at start.
    expect(messages).toEqual(expect.arrayContaining(['incoming request', 'login code issued', 'request completed']));
    const issued = log.lines.filter((l) => l['msg'] === 'login code issued');
    expect(issued.every((l) => typeof l['reqId'] === 'string')).toBe(true);
    // No line names its request twice (Fastify binds it; the mixin must then stay out of the way).
    for (const raw of log.raw) expect(raw.split('"reqId"').length).toBeLessThanOrEqual(2);
  });
});

describe('behind a trusted proxy (TRUST_PROXY)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ config: { trustProxy: true } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps the proxy’s id, in the answer header and the error body', async () => {
    const nginxId = 'a3f1c2d4e5b60718293a4b5c6d7e8f90';
    const res = await new TestClient(t.url, { 'x-request-id': nginxId }).get<ErrorBody>('/api/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe(nginxId);
    expect(res.body.error.requestId).toBe(nginxId);
  });

  it('replaces an id that is not a plain token', async () => {
    for (const bad of ['two words', 'x'.repeat(200), '"quoted"', '-starts-with-dash']) {
      const res = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id')).toMatch(UUID);
    }
  });
});
