/**
 * `certdesk ca rotate-passphrase`: CA_KEY_PASSPHRASE protects two things, and both are re-encrypted
 * under the new one — the key store's files (PKCS#8, PBES2; signing keys and the secret unlock key) and the KM archive (the escrowed SM2
 * encryption keys in `certificates.escrowed_key`). Keys on a PKCS#11 token are the token's and not
 * touched. Done with every server stopped: a running one would go on escrowing under the old
 * passphrase it holds.
 *
 * Order, so that a failure leaves the old passphrase working: every key file is decrypted with the
 * old passphrase and written anew beside itself (`….rotating`); then the archive is re-sealed in
 * one transaction with its audit record; only once that committed do the new files replace the old
 * (a rename each). A failure before the commit removes the new files and changes nothing.
 */
import { constants } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../domain/errors.ts';
import { fromPem, toPem } from '../../pki/der.ts';
import { PassphraseEscrow } from '../../pki/escrow.ts';
import { isKeyStoreFile } from '../../pki/keystore.ts';
import { decryptPkcs8, encryptPkcs8, WrongPasswordError } from '../../pki/pbes2.ts';
import { appendAudit, type AuditEntry } from '../audit/chain.ts';
import * as repo from './repository.ts';

/** As the key store writes its keys (keystore.ts). */
const ITERATIONS = 200_000;

export interface RotationResult {
  keyFiles: number;
  escrowedKeys: number;
}

export async function rotateCaPassphrase(deps: {
  db: Db;
  keystoreDir: string;
  from: string;
  to: string;
  now: Date;
  actor: AuditEntry['actor'];
}): Promise<RotationResult> {
  const { db, keystoreDir, from, to } = deps;
  if (to.length < 8) throw new AppError('PASSPHRASE_WEAK', '新口令至少 8 个字符');
  if (to === from) throw new AppError('PASSPHRASE_SAME', '新口令与当前口令相同');
  const names = (await readdir(keystoreDir).catch(() => [] as string[])).filter(isKeyStoreFile).sort();
  const written: { file: string; next: string }[] = [];
  try {
    for (const name of names) {
      const file = path.join(keystoreDir, name);
      let pkcs8: Uint8Array;
      try {
        pkcs8 = decryptPkcs8(fromPem(await readFile(file, 'utf8'), 'ENCRYPTED PRIVATE KEY'), from);
      } catch (error) {
        if (error instanceof WrongPasswordError) throw new AppError('PASSPHRASE_WRONG', `当前口令无法解密 ${file}：CA_KEY_PASSPHRASE 应为现在使用的口令`);
        throw error;
      }
      const next = `${file}.rotating`;
      await rm(next, { force: true });
      await writeFile(next, toPem('ENCRYPTED PRIVATE KEY', encryptPkcs8(pkcs8, to, ITERATIONS)), { mode: 0o600, flag: constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY });
      written.push({ file, next });
    }
    const oldArchive = new PassphraseEscrow(from);
    const newArchive = new PassphraseEscrow(to);
    const escrowedKeys = await db.transaction(async (tx) => {
      const rows = await repo.lockEscrowedKeys(tx);
      for (const row of rows) await repo.setEscrowedKey(tx, row.id, await newArchive.escrow(await oldArchive.recover(row.escrowedKey)));
      await appendAudit(tx, {
        at: deps.now,
        actor: deps.actor,
        action: 'ca.passphrase_rotate',
        entityType: 'ca',
        entityId: 'keystore',
        data: { keyFiles: names.length, escrowedKeys: rows.length },
      });
      return rows.length;
    });
    for (const w of written.splice(0)) await rename(w.next, w.file);
    return { keyFiles: names.length, escrowedKeys };
  } finally {
    for (const w of written) await rm(w.next, { force: true });
  }
}
