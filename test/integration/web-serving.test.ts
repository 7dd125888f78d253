/**
 * How the platform serves the built portal (web/dist, made by `npm test`'s build step) and what
 * every answer carries (issue 17): the build's brotli or gzip copy by Accept-Encoding, hashed
 * assets cached for a year and immutable, index.html revalidated; a favicon; unknown server paths
 * and files answer 404 (the error envelope), only page routes get the portal; security headers —
 * a CSP without inline scripts, no framing, nosniff, the referrer kept home — and HSTS only when
 * the request came over HTTPS through a trusted proxy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HSTS, PDF_CSP } from '../../src/http/security-headers.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { acceptContract, loggedInApplicant, verifiedDraft } from '../support/applicant.ts';

const dist = fileURLToPath(new URL('../../web/dist', import.meta.url));

let t: TestApp;
let app: FastifyInstance;
/** The entry script index.html names: a content-hashed file under /assets. */
let entryScript: string;

beforeAll(async () => {
  if (!existsSync(`${dist}/index.html`)) throw new Error('web/dist is not built: run `npm run build:web` (npm test does)');
  entryScript = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(readFileSync(`${dist}/index.html`, 'utf8'))![1]!;
  t = await startTestApp({ config: { trustProxy: true } });
  app = t.certdesk.app;
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

describe('the portal, compressed and cached', () => {
  it('sends the build’s brotli copy to a browser that accepts it, gzip to one that accepts only gzip, the plain file otherwise', async () => {
    const plain = readFileSync(`${dist}${entryScript}`);
    const br = await get(entryScript, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/);
    expect(br.headers['vary']).toMatch(/accept-encoding/i);
    expect(br.rawPayload.length).toBeLessThan(plain.length / 2);
    expect(brotliDecompressSync(br.rawPayload).equals(plain)).toBe(true);

    const gz = await get(entryScript, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(plain)).toBe(true);

    const none = await get(entryScript);
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.rawPayload.equals(plain)).toBe(true);
  });

  it('caches hashed assets for a year without revalidation, and has index.html revalidated', async () => {
    expect((await get(entryScript, { 'accept-encoding': 'br' })).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const page of ['/', '/index.html', '/login', '/applications/some-id', '/console/review']) {
      const res = await get(page, { 'accept-encoding': 'br' });
      expect(res.statusCode, page).toBe(200);
      expect(res.headers['content-type'], page).toMatch(/^text\/html/);
      expect(res.headers['cache-control'], page).toBe('no-cache');
      expect(brotliDecompressSync(res.rawPayload).toString(), page).toContain('<div id="root">');
    }
  });

  it('has a favicon, also where browsers look for one by default', async () => {
    const svg = await get('/favicon.svg');
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(svg.body).toContain('<svg');
    const ico = await get('/favicon.ico');
    expect(ico.statusCode).toBe(301);
    expect(ico.headers['location']).toBe('/favicon.svg');
  });
});

describe('unknown paths', () => {
  it('answer 404 in the error envelope under the server’s own paths and for files, never the portal', async () => {
    const paths = [
      '/api/no-such-thing',
      '/api/applications/x/no-such-file.pdf',
      '/ca/nothing',
      '/crl/nothing',
      '/dev/nothing',
      '/sim/nothing',
      '/docs/nothing',
      '/assets/index-deadbeef.js',
      '/robots.txt',
      '/wp-login.php',
      '/applications/x/report.pdf?download=1',
    ];
    for (const path of paths) {
      const res = await get(path, { accept: 'text/html,*/*' });
      expect(res.statusCode, path).toBe(404);
      expect(res.headers['content-type'], path).toMatch(/^application\/json/);
      expect(res.json(), path).toEqual({ error: { code: 'NOT_FOUND', message: '请求的内容不存在', requestId: expect.any(String) } });
    }
  });

  it('fall back to the portal for page routes only, and for GET only', async () => {
    for (const path of ['/login', '/verify?serial=01.02', '/applications/new', '/console', '/no-such-page']) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(200);
      expect(res.body, path).toContain('<div id="root">');
    }
    const post = await app.inject({ method: 'POST', url: '/login', payload: {} });
    expect(post.statusCode).toBe(404);
  });
});

describe('security headers', () => {
  it('every answer — page, API, error — carries the strict policy, no framing, nosniff and the referrer policy', async () => {
    for (const path of ['/login', entryScript, '/api/auth/session', '/api/nothing', '/dev/sms', '/docs']) {
      const res = await get(path);
      const csp = String(res.headers['content-security-policy']);
      const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
      expect(directives.get('script-src'), path).toEqual(["'self'"]);
      expect(directives.get('script-src-attr'), path).toEqual(["'none'"]);
      expect(directives.get('default-src'), path).toEqual(["'self'"]);
      expect(directives.get('object-src'), path).toEqual(["'none'"]);
      expect(directives.get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(csp, path).not.toContain('upgrade-insecure-requests');
      expect(res.headers['x-frame-options'], path).toBe('DENY');
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['referrer-policy'], path).toBe('same-origin');
      expect(res.headers['strict-transport-security'], path).toBeUndefined();
    }
  });

  it('sends HSTS only on answers that went out over HTTPS (the trusted proxy says so)', async () => {
    const https = await get('/login', { 'x-forwarded-proto': 'https' });
    expect(https.headers['strict-transport-security']).toBe(HSTS);
    const api = await get('/api/auth/session', { 'x-forwarded-proto': 'https' });
    expect(api.headers['strict-transport-security']).toBe(HSTS);
    expect((await get('/login', { 'x-forwarded-proto': 'http' })).headers['strict-transport-security']).toBeUndefined();
  });

  it('lets the portal frame the signed contract PDF, and nothing else frame it', async () => {
    const client = await loggedInApplicant(t);
    const { id } = await verifiedDraft(client);
    await acceptContract(client, id, 'sign');
    const res = await fetch(`${t.url}/api/applications/${id}/contract.pdf`, { headers: { cookie: client.cookie ?? '' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect(res.headers.get('content-security-policy')).toBe(PDF_CSP);
    expect(PDF_CSP).toContain("frame-ancestors 'self'");
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});
