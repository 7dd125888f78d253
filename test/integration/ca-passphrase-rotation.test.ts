/**
 * `certdesk ca rotate-passphrase`: the CA key files and the KM archive are re-encrypted under the
 * new CA_KEY_PASSPHRASE; the installation then starts with the new one (and signs, and recovers an
 * escrowed key), the old one opens nothing any more, and a server holding the database refuses it.
 *
 * Embedded database only: on CI's shared PostgreSQL it would re-seal every other suite's archive.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.ts';
import { isKeyStoreFile } from '../../src/pki/keystore.ts';
import { startTestApp, testConfig } from '../support/app.ts';
import { certifiedUnit } from '../support/certified.ts';
import { askOcsp } from '../support/ocsp.ts';
import { runCertdesk } from '../support/process.ts';

const shared = Boolean(process.env['DATABASE_URL']);
if (shared) console.warn('ca-passphrase-rotation: skipped with DATABASE_URL — it would re-seal the shared database’s archive');

const NEW_PASSPHRASE = 'New-CA-passphrase-2026';

describe.skipIf(shared)('certdesk ca rotate-passphrase', () => {
  let dir: string;
  const env = () => ({ DATA_DIR: dir, CERTDESK_MODE: 'development' });
  const config = (keyPassphrase?: string): Partial<Config> => ({
    dataDir: dir,
    database: { kind: 'pglite', dataDir: path.join(dir, 'pglite') },
    ca: { ...testConfig().ca, keystoreDir: path.join(dir, 'ca-keys'), keyPassphrase },
  });
  let signing = '';
  let encryption = '';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'certdesk-rotation-'));
    const t = await startTestApp({ config: config() });
    try {
      const unit = await certifiedUnit(t);
      signing = unit.serial;
      encryption = (await t.certdesk.ca.ca.certificate(signing))!.pairSerialHex!;
      // A server holds the database: the rotation refuses rather than run beside it.
      const refused = await runCertdesk(['ca', 'rotate-passphrase', '--new-passphrase-stdin'], env(), NEW_PASSPHRASE);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('请先停止 CertDesk 服务器再更换口令');
    } finally {
      await t.close();
    }
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('re-encrypts the key files and the escrowed keys; the new passphrase opens them, the old no longer does', async () => {
    const run = await runCertdesk(['ca', 'rotate-passphrase', '--new-passphrase-stdin'], env(), NEW_PASSPHRASE);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/已用新口令重新加密 \d+ 个 CA 密钥文件和 1 个托管的加密私钥/);
    const files = await readdir(path.join(dir, 'ca-keys'));
    expect(files.filter((n) => !isKeyStoreFile(n))).toEqual([]);
    // The unlock master key is re-encrypted with the signing keys: the app below opens it with the new passphrase.
    expect(files).toContain('usb-key-unlock-master.secret.pem');

    const again = await runCertdesk(['ca', 'rotate-passphrase', '--new-passphrase-stdin'], env(), 'Another-passphrase-1');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('当前口令无法解密');

    const t = await startTestApp({ config: config(NEW_PASSPHRASE) });
    try {
      expect((await t.certdesk.ca.ca.recoverEscrowedKey({ kind: 'system', id: 'test' }, encryption)).length).toBeGreaterThan(0);
      const issuer = t.certdesk.ca.cas.issuing.sm2.certificate;
      expect(await askOcsp(t.url, issuer, signing)).toBe('good');
      const next = await certifiedUnit(t);
      expect(await askOcsp(t.url, issuer, next.serial)).toBe('good');
    } finally {
      await t.close();
    }
  });
});
