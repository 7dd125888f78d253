import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { fromPem, toPem } from './der.ts';
import { exportSm2Pkcs8, generateSm2Key, importSm2Pkcs8, sm2PublicKeyFromSpki, sm2Sign, sm2Signer, sm2Spki, sm2Verify } from './sm2.ts';
import { generateP256 } from './signer.ts';
import { spkiFamily, verifySignature } from './verify.ts';
import { opensslDir, type OpensslDir } from './test-openssl.ts';

const message = new TextEncoder().encode('统一社会信用代码 91110000100000000X');

describe('SM3 and SM2', () => {
  let tmp: OpensslDir;
  beforeAll(async () => {
    tmp = await opensslDir();
  });
  afterAll(() => tmp.remove());

  it('has SM3 with the GB/T 32905 "abc" vector', () => {
    expect(createHash('sm3').update('abc').digest('hex')).toBe(
      '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    );
  });

  it('verifies its own signatures and rejects tampered data, signature or key', () => {
    const key = generateSm2Key();
    const sig = sm2Sign(key, message);
    expect(sm2Verify(key.publicKey, message, sig)).toBe(true);
    expect(sm2Verify(key.publicKey, message.subarray(1), sig)).toBe(false);
    const bad = Uint8Array.from(sig);
    bad[bad.length - 1]! ^= 1;
    expect(sm2Verify(key.publicKey, message, bad)).toBe(false);
    expect(sm2Verify(generateSm2Key().publicKey, message, sig)).toBe(false);
    expect(sm2Verify(key.publicKey, message, Uint8Array.of(0x30, 0x00))).toBe(false);
  });

  it('loads a key made by openssl genpkey and verifies what openssl signed with the default ID', async () => {
    await tmp.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'k.pem');
    await tmp.write('m.bin', message);
    await tmp.openssl('dgst', '-sm3', '-sign', 'k.pem', '-sigopt', 'distid:1234567812345678', '-out', 'm.sig', 'm.bin');
    const key = importSm2Pkcs8(fromPem(new TextDecoder().decode(await tmp.read('k.pem'))));
    const sig = await tmp.read('m.sig');
    expect(sm2Verify(key.publicKey, message, sig)).toBe(true);
    expect(verifySignature(sm2Spki(key.publicKey), message, sig)).toBe(true);
    // The same signature without the ID agreement must not pass: proves Z_A is really in the hash.
    await tmp.openssl('dgst', '-sm3', '-sign', 'k.pem', '-out', 'noid.sig', 'm.bin');
    expect(sm2Verify(key.publicKey, message, await tmp.read('noid.sig'))).toBe(false);
  });

  it('exports keys openssl reads and signs what openssl verifies with the default ID', async () => {
    const key = generateSm2Key();
    await tmp.write('ours.pem', toPem('PRIVATE KEY', exportSm2Pkcs8(key)));
    const text = await tmp.openssl('pkey', '-in', 'ours.pem', '-text', '-noout');
    expect(text).toContain('ASN1 OID: SM2');
    await tmp.openssl('pkey', '-in', 'ours.pem', '-pubout', '-outform', 'DER', '-out', 'pub.der');
    expect(Buffer.from(await tmp.read('pub.der')).equals(Buffer.from(sm2Spki(key.publicKey)))).toBe(true);
    await tmp.write('m.bin', message);
    await tmp.write('ours.sig', sm2Signer(key).sign(message));
    await tmp.write('ours.pub.pem', toPem('PUBLIC KEY', sm2Spki(key.publicKey)));
    const out = await tmp.openssl('dgst', '-sm3', '-verify', 'ours.pub.pem', '-sigopt', 'distid:1234567812345678', '-signature', 'ours.sig', 'm.bin');
    expect(out).toContain('Verified OK');
    expect(importSm2Pkcs8(exportSm2Pkcs8(key))).toEqual(key);
  });

  it('dispatches verification on the key family', () => {
    const p256 = generateP256().signer;
    const sm2 = sm2Signer(generateSm2Key());
    expect(spkiFamily(p256.spki)).toBe('p256');
    expect(spkiFamily(sm2.spki)).toBe('sm2');
    expect(verifySignature(p256.spki, message, p256.sign(message))).toBe(true);
    expect(verifySignature(sm2.spki, message, sm2.sign(message))).toBe(true);
    expect(verifySignature(p256.spki, message, sm2.sign(message))).toBe(false);
    expect(verifySignature(sm2.spki, message, p256.sign(message))).toBe(false);
    expect(sm2PublicKeyFromSpki(sm2.spki)).toHaveLength(65);
  });
});
