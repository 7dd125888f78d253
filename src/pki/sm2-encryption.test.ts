import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPem, toPem } from './der.ts';
import { decodeSm2Cipher, Sm2DecryptError, sm2Decrypt, sm2Encrypt } from './sm2-encryption.ts';
import { generateSm2Key, importSm2Pkcs8, sm2Spki } from './sm2.ts';
import { opensslDir, type OpensslDir } from './test-openssl.ts';

const text = (s: string) => new TextEncoder().encode(s);

describe('SM2 encryption (GB/T 32918.4, GM/T 0009 SM2Cipher)', () => {
  let tmp: OpensslDir;
  beforeAll(async () => {
    tmp = await opensslDir();
    await tmp.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'k.pem');
  });
  afterAll(() => tmp.remove());

  const opensslKey = async () => importSm2Pkcs8(fromPem(new TextDecoder().decode(await tmp.read('k.pem'))));

  // 1 byte, one SM3 block of KDF output exactly, and several blocks.
  it.each([1, 16, 32, 100])('openssl pkeyutl decrypts what we encrypt (%i bytes)', async (length) => {
    const key = await opensslKey();
    const message = Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
    await tmp.write('ours.der', sm2Encrypt(key.publicKey, message));
    await tmp.openssl('pkeyutl', '-decrypt', '-inkey', 'k.pem', '-in', 'ours.der', '-out', 'plain.bin');
    expect(Buffer.from(await tmp.read('plain.bin')).equals(Buffer.from(message))).toBe(true);
  });

  it('decrypts what openssl pkeyutl encrypts, to our public key as well as its own', async () => {
    const key = await opensslKey();
    await tmp.write('m.txt', text('统一社会信用代码 91110000100000000X'));
    await tmp.openssl('pkeyutl', '-encrypt', '-inkey', 'k.pem', '-in', 'm.txt', '-out', 'theirs.der');
    expect(new TextDecoder().decode(sm2Decrypt(key, await tmp.read('theirs.der')))).toBe('统一社会信用代码 91110000100000000X');

    const ours = generateSm2Key();
    await tmp.write('ours.pub', toPem('PUBLIC KEY', sm2Spki(ours.publicKey)));
    await tmp.openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', 'ours.pub', '-in', 'm.txt', '-out', 'to-ours.der');
    expect(new TextDecoder().decode(sm2Decrypt(ours, await tmp.read('to-ours.der')))).toBe('统一社会信用代码 91110000100000000X');
  });

  it('writes C1, C3 (SM3, 32 bytes) and C2 in that order; randomised per call', () => {
    const key = generateSm2Key();
    const message = text('0123456789abcdef');
    const a = sm2Encrypt(key.publicKey, message);
    const parts = decodeSm2Cipher(a);
    expect(parts.c1).toHaveLength(65);
    expect(parts.c3).toHaveLength(32);
    expect(parts.c2).toHaveLength(message.length);
    expect(Buffer.from(a).equals(Buffer.from(sm2Encrypt(key.publicKey, message)))).toBe(false);
  });

  it('rejects a changed C3, C2 or C1, a wrong key and junk, always with the same error', () => {
    const key = generateSm2Key();
    const der = sm2Encrypt(key.publicKey, text('secret'));
    const flip = (at: number) => {
      const copy = Uint8Array.from(der);
      copy[at]! ^= 1;
      return copy;
    };
    expect(() => sm2Decrypt(key, flip(der.length - 40))).toThrow(Sm2DecryptError); // inside C3
    expect(() => sm2Decrypt(key, flip(der.length - 1))).toThrow(Sm2DecryptError); // C2
    expect(() => sm2Decrypt(key, flip(10))).toThrow(Sm2DecryptError); // C1 leaves the curve
    expect(() => sm2Decrypt(generateSm2Key(), der)).toThrow(Sm2DecryptError);
    expect(() => sm2Decrypt(key, Uint8Array.of(0x30, 0))).toThrow(Sm2DecryptError);
    expect(() => sm2Encrypt(key.publicKey, new Uint8Array(0))).toThrow(RangeError);
  });
});
