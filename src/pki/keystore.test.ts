import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { toPem } from './der.ts';
import { FileKeyStore, initCaInStore } from './keystore.ts';
import { keyCheckValue } from './usb-key-unlock.ts';
import { verifySignature } from './verify.ts';
import { opensslDir, type OpensslDir } from './test-openssl.ts';

const passphrase = 'correct horse battery staple';
const message = new TextEncoder().encode('CA 私钥');

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('file key store', () => {
  let tmp: OpensslDir;
  let keys: string;
  beforeAll(async () => {
    tmp = await opensslDir();
    keys = join(tmp.dir, 'keys');
  });
  afterAll(() => tmp.remove());

  it('refuses to open without a passphrase', async () => {
    expect(await codeOf(FileKeyStore.open(keys, undefined))).toBe('KEYSTORE_PASSPHRASE_MISSING');
    await expect(FileKeyStore.open(keys, '')).rejects.toThrow('未设置 CA 私钥保护口令');
  });

  it('creates CA keys of both families that survive a restart and never overwrites one', async () => {
    const store = await FileKeyStore.open(keys, passphrase);
    const ca = await initCaInStore(store, { family: 'sm2', baseUrl: 'http://127.0.0.1:8080', now: new Date(Date.UTC(2026, 0, 1)) });
    const p256 = await store.create('p256-issuing', 'p256');
    expect(await codeOf(store.create('p256-issuing', 'p256'))).toBe('KEYSTORE_KEY_EXISTS');
    expect(await codeOf(store.create('../escape', 'p256'))).toBe('KEYSTORE_BAD_LABEL');

    const reopened = await FileKeyStore.open(keys, passphrase);
    expect(await reopened.labels()).toEqual(['p256-issuing', 'sm2-issuing', 'sm2-root']);
    for (const [label, spki] of [['p256-issuing', p256.spki], ['sm2-root', (await store.signer('sm2-root')).spki]] as const) {
      const signer = await reopened.signer(label);
      expect(Buffer.from(signer.spki).equals(Buffer.from(spki))).toBe(true);
      expect(verifySignature(spki, message, signer.sign(message))).toBe(true);
    }
    await tmp.write('sm2-root.pem', toPem('CERTIFICATE', ca.root.certificate));
    await tmp.write('sm2-issuing.pem', toPem('CERTIFICATE', ca.issuing.certificate));
    const verified = await tmp.openssl('verify', '-vfyopt', 'distid:1234567812345678', '-attime', String(Date.UTC(2026, 0, 2) / 1000), '-CAfile', 'sm2-root.pem', 'sm2-issuing.pem');
    expect(verified).toContain('OK');
    expect(await codeOf(reopened.signer('absent'))).toBe('KEYSTORE_KEY_MISSING');

    // A secret SM4 key: beside the signing keys but not among their labels, the same after a restart.
    const secret = await store.createSecret('unlock-master');
    expect(await codeOf(store.createSecret('unlock-master'))).toBe('KEYSTORE_KEY_EXISTS');
    const restarted = await FileKeyStore.open(keys, passphrase);
    expect(keyCheckValue((await restarted.secret('unlock-master'))!)).toBe(keyCheckValue(secret));
    expect(await restarted.secret('absent')).toBeUndefined();
    expect(await restarted.labels()).not.toContain('unlock-master');
  });

  it('refuses to open with a wrong passphrase, naming the key', async () => {
    const error = await FileKeyStore.open(keys, 'not the passphrase').catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('KEYSTORE_PASSPHRASE_WRONG');
    expect((error as Error).message).toContain('p256-issuing');
  });

  it('keeps keys openssl reads with the passphrase, and loads keys openssl encrypted', async () => {
    const store = await FileKeyStore.open(keys, passphrase);
    for (const label of ['p256-issuing', 'sm2-issuing']) {
      const pub = await tmp.openssl('pkey', '-in', join(keys, `${label}.key.pem`), '-passin', `pass:${passphrase}`, '-pubout', '-outform', 'DER', '-out', `${label}.pub`);
      expect(pub).toBe('');
      expect(Buffer.from(await tmp.read(`${label}.pub`)).equals(Buffer.from((await store.signer(label)).spki))).toBe(true);
    }
    const fail = await tmp.opensslStatus('pkey', '-in', join(keys, 'sm2-root.key.pem'), '-passin', 'pass:wrong', '-noout');
    expect(fail.code).not.toBe(0);

    await tmp.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'plain.pem');
    await tmp.openssl('pkcs8', '-topk8', '-in', 'plain.pem', '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA256', '-passout', `pass:${passphrase}`, '-out', join(keys, 'imported.key.pem'));
    const reopened = await FileKeyStore.open(keys, passphrase);
    const imported = await reopened.signer('imported');
    expect(imported.family).toBe('sm2');
    await tmp.openssl('pkey', '-in', 'plain.pem', '-pubout', '-outform', 'DER', '-out', 'imported.pub');
    expect(Buffer.from(await tmp.read('imported.pub')).equals(Buffer.from(imported.spki))).toBe(true);
  });
});
