/**
 * `npm run bench`: requests/s and p99 latency of an authenticated endpoint (reads the session and
 * the applicant from the database) against a bare Fastify route, measured in the same run and
 * printed as ratios. Runs on PGlite, and on PostgreSQL too when DATABASE_URL is set.
 * Each server is its own process so that the load generator does not share its event loop.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freePort, startServerProcess } from '../test/support/process.ts';
import { TestClient } from '../test/support/http.ts';
import { waitForCode } from '../test/support/sms.ts';

const DURATION = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);

interface Figures {
  rps: number;
  p99: number;
}

async function load(url: string, headers: Record<string, string> = {}): Promise<Figures> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return { rps: result.requests.average, p99: result.latency.p99 };
}

async function startBare(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'bare-server.ts'), String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  return { url: `http://127.0.0.1:${port}/bare`, stop: () => child.kill('SIGTERM') };
}

async function benchDatabase(label: string, env: Record<string, string>, bare: Figures): Promise<void> {
  const server = await startServerProcess(
    { CERTDESK_MODE: 'development', LOG_LEVEL: 'warn', AUTH_CODES_PER_IP_PER_HOUR: '100000', ...env },
    await freePort(),
  );
  try {
    const client = new TestClient(server.url);
    const phone = `139${String(Date.now()).slice(-8)}`;
    await client.post('/api/auth/sms-code', { phone });
    const code = await waitForCode(server.url, phone);
    const login = await client.post('/api/auth/login', { phone, code });
    if (login.status !== 200 || !client.cookie) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
    await load(`${server.url}/api/auth/session`, { cookie: client.cookie }); // warm-up
    const authed = await load(`${server.url}/api/auth/session`, { cookie: client.cookie });
    console.log(
      `${label.padEnd(28)} ${authed.rps.toFixed(0).padStart(8)} req/s  p99 ${String(authed.p99).padStart(4)} ms  ` +
        `ratio to bare: ${(authed.rps / bare.rps).toFixed(3)} (throughput), ${(authed.p99 / Math.max(bare.p99, 1)).toFixed(1)}× (p99)`,
    );
  } finally {
    await server.stop();
  }
}

const bareServer = await startBare();
await load(bareServer.url); // warm-up
const bare = await load(bareServer.url);
bareServer.stop();
console.log(`\nautocannon -c ${CONNECTIONS} -d ${DURATION}s, one server process each, ${new Date().toISOString()}`);
console.log(`${'bare Fastify route'.padEnd(28)} ${bare.rps.toFixed(0).padStart(8)} req/s  p99 ${String(bare.p99).padStart(4)} ms`);

const dataDir = mkdtempSync(path.join(tmpdir(), 'certdesk-bench-'));
try {
  await benchDatabase('GET /api/auth/session PGlite', { DATA_DIR: dataDir, DATABASE_URL: '' }, bare);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
const pgUrl = process.env['DATABASE_URL'];
if (pgUrl) await benchDatabase('GET /api/auth/session PG', { DATABASE_URL: pgUrl }, bare);
else console.log('(set DATABASE_URL to measure on PostgreSQL as well)');

// The CA: issuance through the service and OCSP against openssl's responder (bench/ca.ts).
await import('./ca.ts');

// The CA's key stores: P-256 signing with the key in files and on a softhsm2 token (bench/keystore.ts).
await import('./keystore.ts');

// The signed contract: render + PAdES signature (bench/pdf-sign.ts).
await import('./pdf-sign.ts');

// Login codes under a burst: 200 simultaneous 获取验证码, request → code at the SMS simulator,
// against the pre-batching worker as baseline (bench/sms-burst.ts).
await import('./sms-burst.ts');
