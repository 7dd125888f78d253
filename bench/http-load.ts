/** Load through HTTP for the benchmarks: autocannon against a URL (or several in turn), and the bare Fastify baseline. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../test/support/process.ts';

export const DURATION = Number(process.env['BENCH_SECONDS'] ?? 10);
export const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);

export interface Figures {
  rps: number;
  p99: number;
}

/**
 * GETs `url` — or, given several, each in turn — from CONNECTIONS connections for DURATION
 * seconds; every answer must be a 2xx.
 */
export async function load(url: string | string[], headers: Record<string, string> = {}): Promise<Figures> {
  const urls = Array.isArray(url) ? url : [url];
  const paths = urls.map((u) => new URL(u).pathname + new URL(u).search);
  let next = 0;
  const result = await autocannon({
    url: urls[0]!,
    connections: CONNECTIONS,
    duration: DURATION,
    headers,
    ...(urls.length > 1 ? { requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length]! }) }] } : {}),
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${urls[0]}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return { rps: result.requests.average, p99: result.latency.p99 };
}

export async function startBare(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'bare-server.ts'), String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  return { url: `http://127.0.0.1:${port}/bare`, stop: () => child.kill('SIGTERM') };
}

/** One line: figures, and their ratios to the bare route's. */
export function report(label: string, f: Figures, bare: Figures, goal = ''): void {
  console.log(
    `${label.padEnd(34)} ${f.rps.toFixed(0).padStart(8)} req/s  p99 ${String(f.p99).padStart(4)} ms  ` +
      `ratio to bare: ${(f.rps / bare.rps).toFixed(3)} (throughput), ${(f.p99 / Math.max(bare.p99, 1)).toFixed(1)}× (p99)${goal}`,
  );
}
