/**
 * A USB key as the tests see one: a serial, a locked user PIN, a fresh random challenge on demand
 * (SKF_GenRandom) and a check of the unlock code against the administrator key it was given at
 * personalisation. It computes on its own, from the master key's bytes and the documented scheme
 * (GM/T 0016 device authentication with SM4, the PBOC-style diversification D ‖ NOT(D) with
 * D = SM3(serial)[0..8]; see src/pki/usb-key-unlock.ts), and imports nothing of the server's
 * diversification: a slip there makes the server's answers fail here.
 *
 * `unlockMasterKey` reads the master key out of a test app's file key store, as a personalisation
 * station with the key store would: the passphrase is the one the app derives from its secret.
 */
import { createCipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UNLOCK_MASTER_LABEL } from '../../src/modules/ca/authority.ts';
import { fromPem } from '../../src/pki/der.ts';
import { decryptPkcs8 } from '../../src/pki/pbes2.ts';
import { deriveKeys, loadMasterSecret } from '../../src/security/keys.ts';
import type { TestApp } from './app.ts';

const sm4 = (key: Buffer, block: Buffer) => {
  const c = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
};

export class SimulatedUsbKey {
  pinLocked = true;
  private challenge: Buffer | undefined;

  private constructor(
    readonly serial: string,
    private readonly adminKey: Buffer,
  ) {}

  /** A key whose administrator key is the master key's diversification for `serial`. */
  static personalise(serial: string, masterKey: Buffer): SimulatedUsbKey {
    const d = createHash('sm3').update(serial.trim().toUpperCase(), 'ascii').digest().subarray(0, 8);
    const block = Buffer.concat([d, Buffer.from(d.map((b) => b ^ 0xff))]);
    return new SimulatedUsbKey(serial, sm4(masterKey, block));
  }

  /** What the key's client tool shows: 8 random bytes, hex. A new one replaces the last. */
  newChallenge(): string {
    this.challenge = randomBytes(8);
    return this.challenge.toString('hex').toUpperCase();
  }

  /** As if the key had shown `challenge` (hex): a code captured for one key, replayed on this one. */
  unlockWith(challenge: string, code: string): boolean {
    this.challenge = Buffer.from(challenge, 'hex');
    return this.unlock(code);
  }

  /** The client tool's 解锁 with a code: accepted only for the current challenge, which is used up either way. */
  unlock(code: string): boolean {
    const challenge = this.challenge;
    this.challenge = undefined;
    if (!challenge) return false;
    const expected = sm4(this.adminKey, Buffer.concat([challenge, Buffer.alloc(8)]));
    const given = Buffer.from(code.replace(/\s/g, ''), 'hex');
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    if (ok) this.pinLocked = false;
    return ok;
  }
}

/** The unlock master key's 16 bytes, from the app's file key store. */
export async function unlockMasterKey(t: TestApp): Promise<Buffer> {
  const passphrase = deriveKeys(await loadMasterSecret(t.config, t.certdesk.database.db, t.clock())).caKeyPassphrase;
  const pem = await readFile(path.join(t.config.ca.keystoreDir, `${UNLOCK_MASTER_LABEL}.secret.pem`), 'utf8');
  const info = Buffer.from(decryptPkcs8(fromPem(pem, 'ENCRYPTED PRIVATE KEY'), passphrase));
  // PrivateKeyInfo { 0, { SM4 }, OCTET STRING (16) }: the key is the last 16 bytes, after 04 10.
  if (info[info.length - 18] !== 0x04 || info[info.length - 17] !== 0x10) throw new Error('unexpected secret key file');
  return info.subarray(info.length - 16);
}
