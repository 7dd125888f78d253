import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassphraseEscrow } from './escrow.ts';
import { exportSm2Pkcs8, generateSm2Key, sm2Spki } from './sm2.ts';
import { opensslDir, type OpensslDir } from './test-openssl.ts';

const passphrase = 'correct horse battery staple';

describe('KM escrow under the CA key passphrase', () => {
  let tmp: OpensslDir;
  beforeAll(async () => {
    tmp = await opensslDir();
  });
  afterAll(() => tmp.remove());

  it('seals subscribers’ keys as EncryptedPrivateKeyInfo that openssl opens with the passphrase', async () => {
    const escrow = new PassphraseEscrow(passphrase);
    const pair = generateSm2Key();
    const pkcs8 = exportSm2Pkcs8(pair);
    const [first, second] = [await escrow.escrow(pkcs8), await escrow.escrow(pkcs8)];
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
    expect(Buffer.from(await escrow.recover(first)).equals(Buffer.from(pkcs8))).toBe(true);
    // Another process (its own salt, nothing cached) recovers it too.
    expect(Buffer.from(await new PassphraseEscrow(passphrase).recover(second)).equals(Buffer.from(pkcs8))).toBe(true);

    await tmp.write('escrowed.der', first);
    await tmp.openssl('pkcs8', '-inform', 'DER', '-in', 'escrowed.der', '-passin', `pass:${passphrase}`, '-out', 'recovered.pem');
    await tmp.openssl('pkey', '-in', 'recovered.pem', '-pubout', '-outform', 'DER', '-out', 'recovered.pub');
    expect(Buffer.from(await tmp.read('recovered.pub')).equals(Buffer.from(sm2Spki(pair.publicKey)))).toBe(true);
    const listing = await tmp.openssl('asn1parse', '-inform', 'DER', '-in', 'escrowed.der');
    for (const part of [':PBES2', ':PBKDF2', ':hmacWithSHA256', ':aes-256-cbc', 'INTEGER           :030D40']) expect(listing).toContain(part);

    await expect(new PassphraseEscrow('another passphrase').recover(first)).rejects.toMatchObject({ code: 'ESCROW_UNREADABLE' });
    expect(() => new PassphraseEscrow('short')).toThrow('未设置密钥托管口令');
  });
});
