/**
 * Test support: runs the openssl CLI in a throw-away directory, so tests check our DER against an
 * outside verifier rather than against our own parser. Used only by *.test.ts files.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface OpensslDir {
  readonly dir: string;
  path(name: string): string;
  write(name: string, content: string | Uint8Array): Promise<string>;
  read(name: string): Promise<Uint8Array>;
  /** Runs openssl with `args` in the directory; resolves with stdout+stderr, rejects on non-zero exit. */
  openssl(...args: string[]): Promise<string>;
  /** Runs another command-line tool (certutil, …) the same way, resolving with its exit status. */
  tool(command: string, ...args: string[]): Promise<{ code: number; output: string }>;
  /** Like `openssl` but resolves with the exit status instead of rejecting. */
  opensslStatus(...args: string[]): Promise<{ code: number; output: string }>;
  remove(): Promise<void>;
}

export async function opensslDir(): Promise<OpensslDir> {
  const dir = await mkdtemp(join(tmpdir(), 'certdesk-pki-'));
  const path = (name: string): string => join(dir, name);
  const tool = async (command: string, ...args: string[]): Promise<{ code: number; output: string }> => {
    try {
      const { stdout, stderr } = await run(command, args, { cwd: dir, encoding: 'utf8' });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  };
  return {
    dir,
    path,
    write: async (name, content) => {
      await writeFile(path(name), content);
      return path(name);
    },
    read: async (name) => new Uint8Array(await readFile(path(name))),
    tool,
    opensslStatus: (...args) => tool('openssl', ...args),
    openssl: async (...args) => {
      const { code, output } = await tool('openssl', ...args);
      if (code !== 0) throw new Error(`openssl ${args.join(' ')} failed (${code}): ${output}`);
      return output;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
