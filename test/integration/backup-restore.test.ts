/**
 * `certdesk backup` beside a running server while applications are being submitted, and
 * `certdesk restore` into a fresh installation: every application, file and certificate that
 * existed when the backup began is there, every file the restored database names is there (the
 * archive is consistent even mid-run), the audit chain verifies, and OCSP answers good for a valid
 * certificate and revoked for a revoked one. A damaged or tampered archive is refused with nothing
 * changed, and so is a restore onto an installation that has data, unless --force.
 *
 * PGlite: the backup goes to the running server over its operator socket. With DATABASE_URL:
 * pg_dump of the database, restored into a new database on the same server.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inArray } from 'drizzle-orm';
import pg from 'pg';
import { create as createTar, extract as extractTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.ts';
import { applications, attachments, contractDocuments } from '../../src/db/schema.ts';
import type { Manifest } from '../../src/operator/backup.ts';
import { LocalBlobStore } from '../../src/storage/local.ts';
import { startTestApp, testConfig, type TestApp } from '../support/app.ts';
import { loggedInApplicant } from '../support/applicant.ts';
import { certifiedUnit } from '../support/certified.ts';
import { askOcsp } from '../support/ocsp.ts';
import { runCertdesk } from '../support/process.ts';
import { submittedApplication } from '../support/scenario.ts';

const sharedUrl = process.env['DATABASE_URL'];
const realClock = { now: () => new Date() };

/** An installation in `dir`: its embedded database (or `databaseUrl`), blobs and key store there. */
function installation(dir: string, databaseUrl?: string): { config: Partial<Config>; env: Record<string, string | undefined> } {
  const base = testConfig();
  return {
    config: {
      dataDir: dir,
      database: databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'pglite', dataDir: path.join(dir, 'pglite') },
      ca: { ...base.ca, keystoreDir: path.join(dir, 'ca-keys') },
    },
    env: { DATA_DIR: dir, CERTDESK_MODE: 'development', DATABASE_URL: databaseUrl },
  };
}

async function blobKeysOf(t: TestApp, ids: string[]): Promise<string[]> {
  const db = t.certdesk.database.db;
  const scans = await db.select({ key: attachments.blobKey }).from(attachments).where(inArray(attachments.applicationId, ids));
  const contracts = await db.select({ key: contractDocuments.blobKey }).from(contractDocuments).where(inArray(contractDocuments.applicationId, ids));
  return [...scans, ...contracts].map((r) => r.key);
}

describe('certdesk backup and restore', () => {
  let work: string;
  let restoreDb: string | undefined;
  const before: string[] = [];
  let after = '';
  let goodSerial = '';
  let revokedSerial = '';
  let archive = '';
  let backupRun: Awaited<ReturnType<typeof runCertdesk>>;
  let duringBackup: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'certdesk-backup-test-'));
    if (sharedUrl) {
      restoreDb = `certdesk_restore_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: sharedUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${restoreDb}`);
      await admin.end();
    }
    const source = installation(path.join(work, 'source'), sharedUrl);
    const t = await startTestApp({ config: source.config });
    try {
      for (let i = 0; i < 2; i++) before.push((await submittedApplication(t, await loggedInApplicant(t))).id);
      const good = await certifiedUnit(t, { family: 'p256' });
      const revoked = await certifiedUnit(t, { family: 'p256' });
      before.push(good.applicationId, revoked.applicationId);
      goodSerial = good.serial;
      revokedSerial = revoked.serial;
      await t.certdesk.ca.ca.revoke({ kind: 'system', id: 'test' }, revokedSerial, 'keyCompromise');

      // Mid-run: applicants keep submitting while the backup is taken.
      let stop = false;
      const load = (async () => {
        while (!stop) duringBackup.push((await submittedApplication(t, await loggedInApplicant(t))).id);
      })();
      archive = path.join(work, 'certdesk-backup.tar.gz');
      backupRun = await runCertdesk(['backup', '--out', archive], source.env);
      stop = true;
      await load;
      after = (await submittedApplication(t, await loggedInApplicant(t))).id;
    } finally {
      await t.close();
    }
  });

  afterAll(async () => {
    if (restoreDb && sharedUrl) {
      const admin = new pg.Client({ connectionString: sharedUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${restoreDb} WITH (FORCE)`);
      await admin.end();
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  const restoreUrl = () => (restoreDb && sharedUrl ? sharedUrl.replace(/\/[^/]*$/, `/${restoreDb}`) : undefined);

  it('writes one archive with a manifest naming every file and its SHA-256', async () => {
    expect(backupRun.code, backupRun.stderr).toBe(0);
    expect(backupRun.stdout).toContain(`已写出备份 ${archive}`);
    const unpacked = path.join(work, 'unpacked');
    await mkdir(unpacked, { recursive: true });
    await extractTar({ file: archive, cwd: unpacked });
    const manifest = JSON.parse(await readFile(path.join(unpacked, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.database.kind).toBe(sharedUrl ? 'postgres' : 'pglite');
    expect(manifest.blobs).toMatchObject({ kind: 'local' });
    expect(manifest.keystore.files).toBeGreaterThanOrEqual(4);
    const listed = manifest.files.map((f) => f.path);
    expect(listed).toContain(manifest.database.file);
    expect(listed.filter((p) => p.startsWith('keys/')).length).toBe(manifest.keystore.files);
    for (const f of manifest.files) {
      const data = await readFile(path.join(unpacked, f.path));
      expect(createHash('sha256').update(data).digest('hex'), f.path).toBe(f.sha256);
    }
    // The keys stay encrypted in the archive.
    const key = await readFile(path.join(unpacked, listed.find((p) => p.startsWith('keys/'))!), 'utf8');
    expect(key).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
  });

  it('refuses a damaged archive and a tampered one, changing nothing', async () => {
    const target = installation(path.join(work, 'refused'), restoreUrl());
    const bytes = await readFile(archive);
    const broken = Buffer.from(bytes);
    for (let i = Math.floor(broken.length / 2); i < Math.floor(broken.length / 2) + 64; i++) broken[i] = broken[i]! ^ 0xff;
    const brokenFile = path.join(work, 'broken.tar.gz');
    await writeFile(brokenFile, broken);
    const damaged = await runCertdesk(['restore', brokenFile], target.env);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain('备份文件已损坏或不完整，未作任何改动');

    // A well-formed archive whose scan was changed after the manifest was written.
    const unpacked = path.join(work, 'tamper');
    await mkdir(unpacked, { recursive: true });
    await extractTar({ file: archive, cwd: unpacked });
    const manifest = JSON.parse(await readFile(path.join(unpacked, 'manifest.json'), 'utf8')) as { files: { path: string }[] };
    const scan = manifest.files.find((f) => f.path.startsWith('blobs/attachments/') && !path.basename(f.path).startsWith('.'));
    expect(scan).toBeDefined();
    await writeFile(path.join(unpacked, scan!.path), Buffer.from('not the scan that was backed up'));
    const tamperedFile = path.join(work, 'tampered.tar.gz');
    await createTar({ gzip: true, file: tamperedFile, cwd: unpacked }, ['manifest.json', 'database', 'blobs', 'keys']);
    const tampered = await runCertdesk(['restore', tamperedFile], target.env);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain(`${scan!.path} 的 SHA-256 与清单不符`);

    expect(existsSync(path.join(work, 'refused', 'pglite', 'PG_VERSION'))).toBe(false);
    expect(existsSync(path.join(work, 'refused', 'blobs'))).toBe(false);
    expect(existsSync(path.join(work, 'refused', 'ca-keys'))).toBe(false);
  });

  it('restores into a fresh installation: every application, file and certificate, the audit chain and OCSP', async () => {
    const target = installation(path.join(work, 'restored'), restoreUrl());
    const restored = await runCertdesk(['restore', archive], target.env);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('已恢复数据库');

    const again = await runCertdesk(['restore', archive], target.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('目标安装不是空的');

    const t = await startTestApp({ config: target.config });
    try {
      const db = t.certdesk.database.db;
      const found = await db.select({ id: applications.id }).from(applications).where(inArray(applications.id, [...before, ...duringBackup, after]));
      const ids = new Set(found.map((r) => r.id));
      for (const id of before) expect(ids.has(id), `application ${id} from before the backup`).toBe(true);
      expect(ids.has(after), 'an application made after the backup').toBe(false);
      // Consistent: every file that a restored application names is there, those made during the backup included.
      const keys = await blobKeysOf(t, [...ids]);
      expect(keys.length).toBeGreaterThanOrEqual(2 * 4);
      const blobs = new LocalBlobStore(path.join(work, 'restored', 'blobs'));
      for (const key of keys) expect(await blobs.get(key), key).toBeDefined();

      expect((await t.certdesk.ca.ca.certificate(goodSerial))?.status).toBe('valid');
      const issuer = t.certdesk.ca.cas.issuing.p256.certificate;
      expect(await askOcsp(t.url, issuer, goodSerial)).toBe('good');
      expect(await askOcsp(t.url, issuer, revokedSerial)).toBe('revoked');

      // The operator's check, through the restored server's operator socket (PGlite) or directly.
      const audit = await runCertdesk(['audit', 'verify'], target.env);
      expect(audit.code, audit.stderr).toBe(0);
      expect(audit.stdout).toContain('审计日志校验通过');
    } finally {
      await t.close();
    }

    const forced = await runCertdesk(['restore', archive, '--force'], target.env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('原有内容已改名保留');
  });
});
