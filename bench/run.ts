/**
 * `npm run bench`: requests/s and p99 latency of an authenticated endpoint (reads the session and
 * the applicant from the database) and of the holder's lists (lists.ts) against a bare Fastify
 * route, measured in the same run and printed as ratios. Runs on PGlite, and on PostgreSQL: the
 * server DATABASE_URL names, or else a throw-away cluster where the PostgreSQL binaries are.
 * Each server is its own process so that the load generator does not share its event loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createThrowawayCluster, postgresMissing, type ThrowawayCluster } from '../test/support/pg-cluster.ts';
import { freePort, startServerProcess } from '../test/support/process.ts';
import { TestClient } from '../test/support/http.ts';
import { waitForCode } from '../test/support/sms.ts';
import { CONNECTIONS, DURATION, load, report, startBare, type Figures } from './http-load.ts';
import { benchLists, seedHolder } from './lists.ts';

async function benchDatabase(label: string, env: Record<string, string>, bare: Figures): Promise<void> {
  const serverEnv = { CERTDESK_MODE: 'development', LOG_LEVEL: 'warn', AUTH_CODES_PER_IP_PER_HOUR: '100000', ...env };
  const holder = await seedHolder(serverEnv);
  const server = await startServerProcess(serverEnv, await freePort());
  try {
    const client = new TestClient(server.url);
    const phone = `139${String(Date.now()).slice(-8)}`;
    await client.post('/api/auth/sms-code', { phone });
    const code = await waitForCode(server.url, phone);
    const login = await client.post('/api/auth/login', { phone, code });
    if (login.status !== 200 || !client.cookie) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
    await load(`${server.url}/api/auth/session`, { cookie: client.cookie }); // warm-up
    report(`GET /api/auth/session ${label}`, await load(`${server.url}/api/auth/session`, { cookie: client.cookie }), bare);
    await benchLists(label, server.url, holder, bare);
  } finally {
    await server.stop();
  }
}

const bareServer = await startBare();
await load(bareServer.url); // warm-up
const bare = await load(bareServer.url);
bareServer.stop();
console.log(`\nautocannon -c ${CONNECTIONS} -d ${DURATION}s, one server process each, ${new Date().toISOString()}`);
console.log(`${'bare Fastify route'.padEnd(34)} ${bare.rps.toFixed(0).padStart(8)} req/s  p99 ${String(bare.p99).padStart(4)} ms`);

const cluster: ThrowawayCluster | undefined = process.env['DATABASE_URL'] || postgresMissing ? undefined : await createThrowawayCluster();
const pgUrl = process.env['DATABASE_URL'] || cluster?.url;
try {
  for (const [label, databaseUrl] of [['PGlite', ''], ...(pgUrl ? [['PG', pgUrl]] : [])] as const) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'certdesk-bench-'));
    try {
      await benchDatabase(label, { DATA_DIR: dataDir, DATABASE_URL: databaseUrl }, bare);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
} finally {
  await cluster?.remove();
}
if (!pgUrl) console.log(`(PostgreSQL: ${postgresMissing}; set DATABASE_URL to measure on one)`);

// `npx tsx bench/run.ts http` stops here: the part above alone.
if (!process.argv.includes('http')) {
  // The CA: issuance through the service — batch, concurrent single requests, from CSRs — beside
  // openssl speed (bench/issuance.ts), and OCSP against openssl's responder (bench/ca.ts).
  await import('./issuance.ts');
  await import('./ca.ts');

  // The CA's key stores: P-256 signing with the key in files and on a softhsm2 token (bench/keystore.ts).
  await import('./keystore.ts');

  // The signed contract: render + PAdES signature (bench/pdf-sign.ts).
  await import('./pdf-sign.ts');

  // A statement on the embedded database through Drizzle, with and without the per-query type
  // parsers Drizzle's driver sends (bench/pglite-parsers.ts).
  await import('./pglite-parsers.ts');

  // Login codes under a burst: 200 simultaneous 获取验证码, request → code at the SMS simulator,
  // against the pre-batching worker as baseline (bench/sms-burst.ts).
  await import('./sms-burst.ts');

  // The portal in Chromium: the login page's compressed JS and CSS and its first contentful paint,
  // beside main's before issue 17 (bench/portal-weight.ts).
  await import('./portal-weight.ts');
  // What the request id and the HTTP metrics add to each request (bench/request-overhead.ts).
  await import('./request-overhead.ts');
  // 运营看板 with 100,000 applications and 100,000 certificates (bench/dashboard.ts).
  await import('./dashboard.ts');
}
