/**
 * Test support: the openssl CLI in a throw-away directory, so tests check our DER against an
 * outside verifier rather than against our own parser, and a P-256 CA made by openssl, so that
 * our CRL, OCSP, seal and PDF code is checked against certificates we did not make ourselves.
 * The one place tests make a CA with openssl (pki, seal and pdf tests, the PDF benchmark).
 */
import { execFile, execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fromPem } from './der.ts';
import { p256Signer, type Signer } from './signer.ts';

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

export interface IssuedByOpenssl {
  pem: string;
  der: Uint8Array;
  signer: Signer;
  /** Lower-case hex without leading zeros, as CRL and OCSP code key certificates. */
  serialHex: string;
}

/** Synchronous, so that fixtures can be made outside async code (the PDF tests and benchmark). */
const opensslIn = (dir: string, args: string[]): string =>
  execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const signerOf = (dir: string, keyFile: string): Signer => p256Signer(createPrivateKey(readFileSync(join(dir, keyFile))));

/**
 * Makes a P-256 root CA in `dir` (ca.key, ca.pem: CA:TRUE, keyCertSign and cRLSign, SKI) and
 * returns a function issuing certificates under it, each with the extensions given as an
 * openssl extfile (`<name>.key`, `<name>.pem` in `dir`).
 */
export function opensslRootCa(
  dir: string,
  caSubject: string,
): { der: Uint8Array; pemPath: string; signer: Signer; issue(name: string, subject: string, extensions: string): IssuedByOpenssl } {
  opensslIn(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key']);
  opensslIn(dir, ['req', '-new', '-x509', '-utf8', '-key', 'ca.key', '-subj', caSubject, '-days', '3650', '-out', 'ca.pem',
    '-sha256', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash']);
  const issue = (name: string, subject: string, extensions: string): IssuedByOpenssl => {
    opensslIn(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
    opensslIn(dir, ['req', '-new', '-utf8', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    opensslIn(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-days', '365', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
    const pem = readFileSync(join(dir, `${name}.pem`), 'utf8');
    const serial = opensslIn(dir, ['x509', '-in', `${name}.pem`, '-noout', '-serial']).trim().split('=')[1] ?? '';
    return { pem, der: fromPem(pem), signer: signerOf(dir, `${name}.key`), serialHex: serial.toLowerCase().replace(/^(00)+/, '') };
  };
  return { der: fromPem(readFileSync(join(dir, 'ca.pem'), 'utf8')), pemPath: join(dir, 'ca.pem'), signer: signerOf(dir, 'ca.key'), issue };
}

export interface OpensslCa {
  tmp: OpensslDir;
  dir: string;
  caDer: Uint8Array;
  caSigner: Signer;
  leafDer: Uint8Array;
  leafSerialHex: string;
  /**
   * Runs openssl in the directory and resolves with stdout + stderr whatever the exit status
   * (verdicts such as "verify OK" and "unauthorized" are read from the output). Asynchronous, so
   * that openssl can talk to an HTTP server running in this process.
   */
  run(...args: string[]): Promise<string>;
  /** Issues a certificate signed by the CA, with the extensions given as an openssl extfile. */
  issue(name: string, subject: string, extensions: string): Promise<IssuedByOpenssl>;
  cleanup(): Promise<void>;
}

/** A CA and a leaf (测试单位, digitalSignature) in a throw-away directory. */
export async function makeOpensslCa(caSubject = '/CN=CertDesk Test CA/O=CertDesk'): Promise<OpensslCa> {
  const tmp = await opensslDir();
  const ca = opensslRootCa(tmp.dir, caSubject);
  const leaf = ca.issue('leaf', '/CN=测试单位/O=测试单位', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n');
  return {
    tmp,
    dir: tmp.dir,
    caDer: ca.der,
    caSigner: ca.signer,
    leafDer: leaf.der,
    leafSerialHex: leaf.serialHex,
    run: async (...args) => (await tmp.opensslStatus(...args)).output,
    issue: async (name, subject, extensions) => ca.issue(name, subject, extensions),
    cleanup: () => tmp.remove(),
  };
}
