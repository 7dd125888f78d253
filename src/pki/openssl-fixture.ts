/**
 * Test fixture: a P-256 CA and a leaf certificate made by the openssl CLI (in test-openssl.ts's
 * throw-away directory), so that our CRL, OCSP and seal code is checked against certificates we
 * did not make ourselves. Used by tests only.
 */
import { createPrivateKey } from 'node:crypto';
import { fromPem } from './der.ts';
import { p256Signer, type Signer } from './signer.ts';
import { opensslDir, type OpensslDir } from './test-openssl.ts';

export interface IssuedByOpenssl {
  pem: string;
  der: Uint8Array;
  signer: Signer;
  /** Lower-case hex without leading zeros, as CRL and OCSP code key certificates. */
  serialHex: string;
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

export async function makeOpensslCa(caSubject = '/CN=CertDesk Test CA/O=CertDesk'): Promise<OpensslCa> {
  const tmp = await opensslDir();
  const signerOf = async (keyFile: string) => p256Signer(createPrivateKey(Buffer.from(await tmp.read(keyFile))));
  await tmp.openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
  await tmp.openssl('req', '-new', '-x509', '-key', 'ca.key', '-subj', caSubject, '-days', '3650', '-out', 'ca.pem',
    '-sha256', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash');
  const issue = async (name: string, subject: string, extensions: string): Promise<IssuedByOpenssl> => {
    await tmp.openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
    await tmp.openssl('req', '-new', '-utf8', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    await tmp.write(`${name}.ext`, extensions);
    await tmp.openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-days', '365', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
    const pem = Buffer.from(await tmp.read(`${name}.pem`)).toString('utf8');
    const serial = (await tmp.openssl('x509', '-in', `${name}.pem`, '-noout', '-serial')).trim().split('=')[1] ?? '';
    return {
      pem,
      der: fromPem(pem),
      signer: await signerOf(`${name}.key`),
      serialHex: serial.toLowerCase().replace(/^(00)+/, ''),
    };
  };
  const leaf = await issue('leaf', '/CN=测试单位/O=测试单位', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n');
  return {
    tmp,
    dir: tmp.dir,
    caDer: fromPem(await tmp.read('ca.pem')),
    caSigner: await signerOf('ca.key'),
    leafDer: leaf.der,
    leafSerialHex: leaf.serialHex,
    run: async (...args) => (await tmp.opensslStatus(...args)).output,
    issue,
    cleanup: () => tmp.remove(),
  };
}
