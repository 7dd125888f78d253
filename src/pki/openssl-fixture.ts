/**
 * Test fixture: a P-256 CA and leaf certificate made by the openssl CLI in a temporary
 * directory, so that our CRL, OCSP and seal code is checked against certificates we did not make.
 * Used by tests only.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { p256Signer, type Signer } from './signer.ts';

export interface OpensslCa {
  dir: string;
  caPem: string;
  caDer: Uint8Array;
  caSigner: Signer;
  leafPem: string;
  leafDer: Uint8Array;
  leafSerialHex: string;
  /** Runs openssl in the fixture directory and returns stdout + stderr. */
  openssl(args: string[]): string;
  /** The same without blocking the event loop: needed when openssl talks to a server in this process. */
  opensslAsync(args: string[]): Promise<string>;
  /** Issues a further certificate signed by the CA with the given extensions file content. */
  issue(name: string, subject: string, extensions: string): { pem: string; der: Uint8Array; signer: Signer };
  cleanup(): void;
}

export function makeOpensslCa(caSubject = '/CN=CertDesk Test CA/O=CertDesk'): OpensslCa {
  const dir = mkdtempSync(join(tmpdir(), 'certdesk-pki-'));
  const openssl = (args: string[], input?: string): string =>
    execFileSync('openssl', args, { cwd: dir, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  // openssl prints verdicts such as "verify OK" on stderr, so both streams are returned.
  const run = (args: string[]): string => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`;
  };
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key']);
  openssl(['req', '-new', '-x509', '-key', 'ca.key', '-subj', caSubject, '-days', '3650', '-out', 'ca.pem',
    '-sha256', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash']);
  const issue = (name: string, subject: string, extensions: string) => {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
    openssl(['req', '-new', '-utf8', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-days', '365', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
    const pem = readFileSync(join(dir, `${name}.pem`), 'utf8');
    return {
      pem,
      der: pemToDer(pem),
      signer: p256Signer(createPrivateKey(readFileSync(join(dir, `${name}.key`)))),
    };
  };
  const leaf = issue('leaf', '/CN=测试单位/O=测试单位', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n');
  const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const serial = openssl(['x509', '-in', 'leaf.pem', '-noout', '-serial']).trim().split('=')[1] ?? '';
  return {
    dir,
    caPem,
    caDer: pemToDer(caPem),
    caSigner: p256Signer(createPrivateKey(readFileSync(join(dir, 'ca.key')))),
    leafPem: leaf.pem,
    leafDer: leaf.der,
    leafSerialHex: serial.toLowerCase().replace(/^(00)+/, ''),
    openssl: run,
    opensslAsync: (args) =>
      new Promise((resolve) => {
        execFile('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 30_000 }, (_error, stdout, stderr) =>
          resolve(`${stdout}${stderr}`),
        );
      }),
    issue,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function pemToDer(pem: string): Uint8Array {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}
