/**
 * A throwaway CA and document-signing certificate made with the openssl CLI, for tests and the
 * benchmark: the PDF library is checked against certificates it did not make itself (the real
 * ones come from pki/, built in another branch). P-256 throughout, as PDF signatures need.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Signer, p256Signer } from '../pki/signer.ts';

export interface TestCa {
  dir: string;
  /** The root's PEM file, for certutil. */
  caPemPath: string;
  caDer: Uint8Array;
  certificateDer: Uint8Array;
  signer: Signer;
}

const openssl = (dir: string, args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
};

const derOf = (pemPath: string): Uint8Array => new Uint8Array(new X509Certificate(readFileSync(pemPath)).raw);

/**
 * A root CA and, under it, a document-signing certificate (digitalSignature and
 * nonRepudiation) whose subject names `organisation`; `extendedKeyUsage` is added when given.
 */
export function makeTestCa(
  opts: { organisation?: string; commonName?: string; extendedKeyUsage?: string } = {},
): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'certdesk-pdf-ca-'));
  const organisation = opts.organisation ?? 'CertDesk 数字证书认证中心';
  const commonName = opts.commonName ?? 'CertDesk 电子合同签章';
  const ec = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  openssl(dir, ['genpkey', ...ec, '-out', 'ca.key']);
  openssl(dir, [
    'req', '-x509', '-new', '-utf8', '-key', 'ca.key', '-sha256', '-days', '3650',
    '-subj', '/C=CN/O=CertDesk 数字证书认证中心/CN=CertDesk 测试根证书',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-out', 'ca.pem',
  ]);
  openssl(dir, ['genpkey', ...ec, '-out', 'ee.key']);
  openssl(dir, ['req', '-new', '-utf8', '-key', 'ee.key', '-subj', `/C=CN/O=${organisation}/CN=${commonName}`, '-out', 'ee.csr']);
  const ext = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,nonRepudiation',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
    ...(opts.extendedKeyUsage === undefined ? [] : [`extendedKeyUsage=${opts.extendedKeyUsage}`]),
  ];
  writeFileSync(join(dir, 'ee.ext'), `${ext.join('\n')}\n`);
  openssl(dir, [
    'x509', '-req', '-in', 'ee.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-sha256', '-days', '365', '-extfile', 'ee.ext', '-out', 'ee.pem',
  ]);
  return {
    dir,
    caPemPath: join(dir, 'ca.pem'),
    caDer: derOf(join(dir, 'ca.pem')),
    certificateDer: derOf(join(dir, 'ee.pem')),
    signer: p256Signer(createPrivateKey(readFileSync(join(dir, 'ee.key')))),
  };
}

/** An NSS database in `dir` that trusts the CA, for `pdfsig -nssdir`. */
export function trustInNss(ca: TestCa): string {
  const db = join(ca.dir, 'nss');
  execFileSync('mkdir', ['-p', db]);
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'certdesk-test-ca', '-t', 'CT,C,C', '-i', ca.caPemPath]);
  return `sql:${db}`;
}
