/**
 * Test support: a throw-away softhsm2 token — its own configuration file and token directory, so
 * tests never touch /etc/softhsm or another run's tokens. softhsm2 reads SOFTHSM2_CONF when the
 * library is initialised: `use()` sets it in this process (the unit tests, the in-process app);
 * `env` is for child processes (the CLI). The one place tests and benchmarks make a token.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian's softhsm2 package puts the library (a symlink into the multiarch directory). */
export const softhsmModule = '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsmToken {
  readonly modulePath: string;
  readonly label: string;
  readonly pin: string;
  readonly soPin: string;
  readonly conf: string;
  readonly env: { SOFTHSM2_CONF: string };
  /** Points this process's softhsm2 at the token's configuration (before the library initialises). */
  use(): void;
  remove(): Promise<void>;
}

/** Why softhsm2 cannot be used here, or undefined when it can. Use with describe.skipIf. */
export function softhsmMissing(): string | undefined {
  for (const path of [softhsmModule, '/usr/bin/softhsm2-util']) {
    if (!existsSync(path)) return `${path} not found (apt-get install softhsm2)`;
  }
  return undefined;
}

/** Initialises a token labelled `label` with `pin` in a new temporary token directory. */
export async function softhsmToken(label = 'certdesk-test', pin = '314159', soPin = '271828'): Promise<SoftHsmToken> {
  const dir = await mkdtemp(join(tmpdir(), 'certdesk-softhsm-'));
  const tokens = join(dir, 'tokens');
  await mkdir(tokens);
  const conf = join(dir, 'softhsm2.conf');
  await writeFile(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const env = { SOFTHSM2_CONF: conf };
  await run('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin], {
    env: { ...process.env, ...env },
  });
  return {
    modulePath: softhsmModule,
    label,
    pin,
    soPin,
    conf,
    env,
    use: () => {
      process.env['SOFTHSM2_CONF'] = conf;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
