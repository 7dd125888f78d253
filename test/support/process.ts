/**
 * The platform as separate processes, as an operator runs them: `npm start`'s server (waiting until
 * it answers) and `certdesk` commands. They run the run's prebuilt copy of the sources
 * (prebuilt.ts, made by the global setup) unless `viaEntryPoint` asks for the operator's own entry
 * point: `tsx src/server.ts` as `npm start` runs it, `bin/certdesk.mjs` as `npx certdesk` does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { PrebuiltEntryPoints } from './prebuilt.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

declare module 'vitest' {
  interface ProvidedContext {
    certdeskPrebuilt: PrebuiltEntryPoints | undefined;
  }
}

export interface ProcessOptions {
  /** Start through the operator's entry point (tsx) instead of the prebuilt copy. */
  viaEntryPoint?: boolean;
}

/** node's arguments for the server or the CLI. */
function entryPoint(which: keyof PrebuiltEntryPoints, options: ProcessOptions): string[] {
  // Benchmarks start servers too, outside vitest: there, the entry point.
  const prebuilt = options.viaEntryPoint || !process.env['VITEST'] ? undefined : inject('certdeskPrebuilt');
  if (prebuilt) return [prebuilt[which]];
  return which === 'server' ? ['--import', 'tsx', 'src/server.ts'] : ['bin/certdesk.mjs'];
}

export interface ServerProcess {
  url: string;
  pid: number;
  output: () => string;
  stop(): Promise<void>;
  /** kill -9, as a crash or the OOM killer would: no shutdown at all. */
  kill(): Promise<void>;
}

function spawnServer(env: Record<string, string>, port: number, options: ProcessOptions): ChildProcess {
  return spawn(process.execPath, entryPoint('server', options), {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

export async function startServerProcess(env: Record<string, string>, port: number, options: ProcessOptions = {}): Promise<ServerProcess> {
  let out = '';
  const child = spawnServer(env, port, options);
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid ?? 0,
    output: () => out,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** A server start that is expected to fail: its exit code and output (killed if it starts listening after all). */
export async function runServerToExit(env: Record<string, string>, port: number, options: ProcessOptions = {}, timeoutMs = 120_000): Promise<CliRun> {
  const child = spawnServer(env, port, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const deadline = Date.now() + timeoutMs;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
    const listening = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (listening) child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
  }
  await exited(child);
  clearTimeout(timer);
  return { code: child.exitCode, stdout, stderr };
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `certdesk …args` with `env` over this process's environment; resolves when it exits. */
export function runCertdesk(args: string[], env: Record<string, string | undefined>, input?: string, options: ProcessOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entryPoint('cli', options), ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.end(input ?? '');
  });
}
