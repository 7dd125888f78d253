/**
 * OCSP figures (part of `npm run bench`; alone: `npx tsx bench/ca.ts`; issuance is bench/issuance.ts):
 * OCSP responses/s from the running server (its own process) beside `openssl ocsp -index … -port …`
 * serving the same P-256 issuing CA and certificate, both under the same load: a client that opens
 * a new connection per request, since openssl's responder serves one connection at a time without
 * keep-alive. Our server's keep-alive figure is printed too.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { openCaModule } from '../src/modules/ca/index.ts';
import { toPem } from '../src/pki/der.ts';
import { generateKey } from '../src/pki/keys.ts';
import { freePort, startServerProcess } from '../test/support/process.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const PASSPHRASE = 'bench-ca-passphrase';
const actor = { kind: 'system' as const, id: 'bench' };

const work = mkdtempSync(path.join(tmpdir(), 'certdesk-ca-bench-'));
const env = {
  CERTDESK_MODE: 'development',
  LOG_LEVEL: 'warn',
  DATA_DIR: work,
  DATABASE_URL: '',
  CA_KEYSTORE_DIR: path.join(work, 'ca-keys'),
  CA_KEY_PASSPHRASE: PASSPHRASE,
};
const config = loadConfig({ ...env, DATABASE_URL: undefined });

/** `connections` clients in parallel, each sending `body` on a fresh TCP connection per request. */
async function newConnectionLoad(url: string, body: Buffer, connections: number): Promise<number> {
  const target = new URL(url);
  const deadline = performance.now() + SECONDS * 1000;
  let done = 0;
  let failed = 0;
  // A request that times out or is refused counts as not answered (openssl's single-connection
  // responder drops some under load); only answers count.
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/ocsp-request', 'content-length': body.length, connection: 'close' } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.setTimeout(5000, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        try {
          await one();
          done++;
        } catch {
          failed++;
        }
      }
    }),
  );
  if (failed > 0) console.error(`${url}: ${failed} requests not answered`);
  return (done / (performance.now() - started)) * 1000;
}

function startOpensslResponder(port: number, dir: string) {
  const child = spawn(
    'openssl',
    ['ocsp', '-index', 'index.txt', '-port', String(port), '-rsigner', 'issuing.pem', '-rkey', 'issuing.key', '-CA', 'issuing.pem', '-ndays', '1'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { stop: () => child.kill('SIGTERM') };
}

async function waitForPort(port: number, body: Buffer): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await newConnectionLoadOnce(`http://127.0.0.1:${port}/`, body);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing answers on ${port}`);
}

function newConnectionLoadOnce(url: string, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/ocsp-request', connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

try {
  // The CA (and its key store, whose P-256 issuing key openssl's responder gets too), on the embedded database.
  const database = await openDatabase(config.database);
  await database.migrate();
  const ca = await openCaModule({ config, db: database.db, derivedPassphrase: PASSPHRASE, clock: () => new Date(), log: pino({ level: 'silent' }), actor });
  // A certificate for the OCSP comparison, in the table and in openssl's index.
  const [leaf] = await ca.ca.issueBatch(actor, 'p256', [{ spki: generateKey('p256').signer.spki, org: '内蒙古测试科技有限公司', uscc: '91150100MA0N000001' }]);
  const dir = path.join(work, 'ocsp');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'issuing.pem'), toPem('CERTIFICATE', ca.cas.issuing.p256.certificate));
  writeFileSync(path.join(dir, 'leaf.pem'), toPem('CERTIFICATE', leaf!));
  await database.close();

  // The same issuing CA key, exported from the key store for openssl's responder.
  const keyFile = readdirSync(env.CA_KEYSTORE_DIR).find((f) => f.startsWith('p256-issuing-'));
  if (!keyFile) throw new Error('no p256 issuing key in the key store');
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  run('pkey', '-in', path.join(env.CA_KEYSTORE_DIR, keyFile), '-passin', `pass:${PASSPHRASE}`, '-out', 'issuing.key');
  const serial = run('x509', '-in', 'leaf.pem', '-noout', '-serial').trim().split('=')[1] ?? '';
  const end = run('x509', '-in', 'leaf.pem', '-noout', '-enddate').trim().split('=')[1] ?? '';
  const expiry = new Date(end).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  writeFileSync(path.join(dir, 'index.txt'), `V\t${expiry}\t\t${serial}\tunknown\t/CN=bench\n`);
  run('ocsp', '-issuer', 'issuing.pem', '-cert', 'leaf.pem', '-no_nonce', '-reqout', 'req.der');
  const body = readFileSync(path.join(dir, 'req.der'));

  const opensslPort = await freePort();
  const responder = startOpensslResponder(opensslPort, dir);
  let opensslRate: number;
  try {
    await waitForPort(opensslPort, body);
    opensslRate = await newConnectionLoad(`http://127.0.0.1:${opensslPort}/`, body, CONNECTIONS);
  } finally {
    responder.stop();
  }

  const server = await startServerProcess(env, await freePort());
  let ours: number;
  let keepAlive: number;
  try {
    await newConnectionLoad(`${server.url}/ocsp`, body, CONNECTIONS); // warm-up
    ours = await newConnectionLoad(`${server.url}/ocsp`, body, CONNECTIONS);
    const result = await autocannon({ url: `${server.url}/ocsp`, method: 'POST', body, headers: { 'content-type': 'application/ocsp-request' }, connections: CONNECTIONS, duration: SECONDS });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`OCSP: ${result.non2xx} non-2xx, ${result.errors} errors`);
    keepAlive = result.requests.average;
  } finally {
    await server.stop();
  }
  console.log(`\nOCSP responses/s, ${CONNECTIONS} clients, ${SECONDS}s, P-256 issuing CA, same request`);
  console.log(`openssl ocsp -index (new connection per request)   ${opensslRate.toFixed(0).padStart(8)}`);
  console.log(`CertDesk /ocsp (new connection per request)         ${ours.toFixed(0).padStart(8)}   ${(ours / opensslRate).toFixed(1)}× openssl`);
  console.log(`CertDesk /ocsp (keep-alive, autocannon)             ${keepAlive.toFixed(0).padStart(8)}   ${(keepAlive / opensslRate).toFixed(1)}× openssl`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
