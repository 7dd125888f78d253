import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caInit, issueCertificate } from './certificate.ts';
import { fromPem, toPem } from './der.ts';
import { decodeEnvelopedKey, EnvelopeError, openEnvelopedKey, sealEnvelopedKey, sm4EcbOid } from './sm2-envelope.ts';
import { profiles, unitSubject, validityEnd } from './profiles.ts';
import { generateSm2Key, importSm2Pkcs8, sm2Spki } from './sm2.ts';
import { opensslDir, type OpensslDir } from './test-openssl.ts';

const baseUrl = 'http://127.0.0.1:8080';
const now = new Date(Date.UTC(2026, 0, 15, 8));
const SM2_ID = ['-vfyopt', 'distid:1234567812345678'];

/** The top-level elements of a DER file as `openssl asn1parse` lists them: offset, header and content length. */
async function topLevel(tmp: OpensslDir, file: string): Promise<{ offset: number; header: number; length: number; type: string }[]> {
  const listing = await tmp.openssl('asn1parse', '-inform', 'DER', '-in', file);
  return [...listing.matchAll(/^\s*(\d+):d=1\s+hl=(\d+)\s+l=\s*(\d+)\s+(?:cons|prim):\s+(.+?)\s*$/gm)].map((m) => ({
    offset: Number(m[1]),
    header: Number(m[2]),
    length: Number(m[3]),
    type: m[4]!.split(/\s{2,}|\s*[:[]/)[0]!,
  }));
}

describe('SM2 enveloped key (GM/T 0009 SM2EnvelopedKey) and the encryption certificate', () => {
  let tmp: OpensslDir;
  const ca = caInit({ family: 'sm2', baseUrl, now });

  beforeAll(async () => {
    tmp = await opensslDir();
    await tmp.write('issuing.pem', toPem('CERTIFICATE', ca.issuing.certificate));
    // The USB key's signing key pair: made by openssl, as a USB key makes its own.
    await tmp.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'sign.key');
  });
  afterAll(() => tmp.remove());

  const signingKey = async () => importSm2Pkcs8(fromPem(new TextDecoder().decode(await tmp.read('sign.key'))));

  it('unwraps with openssl alone to the scalar of the encryption certificate’s key, which openssl verifies', { timeout: 30_000 }, async () => {
    const encryption = generateSm2Key();
    const certificate = issueCertificate({
      profile: profiles.unitEncryption,
      subject: unitSubject('北京测试科技有限公司', '91110108MA01ABCD2X'),
      subjectSpki: sm2Spki(encryption.publicKey),
      issuer: { signer: ca.issuing.key.signer, certificate: ca.issuing.certificate, caName: ca.issuing.caName },
      notBefore: now,
      notAfter: validityEnd(profiles.unitEncryption, now),
      baseUrl,
    });
    await tmp.write('enc.pem', toPem('CERTIFICATE', certificate));
    const attime = ['-attime', String(now.getTime() / 1000 + 60)];
    expect(await tmp.openssl('verify', ...SM2_ID, ...attime, '-partial_chain', '-CAfile', 'issuing.pem', 'enc.pem')).toContain('enc.pem: OK');
    const text = await tmp.openssl('x509', '-in', 'enc.pem', '-noout', '-text');
    expect(text).toMatch(/Key Usage: critical\s+Key Encipherment, Data Encipherment, Key Agreement/);
    expect(text).not.toContain('Digital Signature');

    await tmp.write('envelope.der', sealEnvelopedKey((await signingKey()).publicKey, encryption));
    const [algorithm, cipher, publicKey, encryptedKey] = await topLevel(tmp, 'envelope.der');
    expect(algorithm?.type).toBe('SEQUENCE');
    expect(await tmp.openssl('asn1parse', '-inform', 'DER', '-in', 'envelope.der')).toContain(':sm4-ecb');
    expect([cipher?.type, publicKey?.type, encryptedKey?.type]).toEqual(['SEQUENCE', 'BIT STRING', 'BIT STRING']);
    // The SM2Cipher, cut out by offset, is what pkeyutl decrypts with the USB key's signing key.
    await tmp.openssl('asn1parse', '-inform', 'DER', '-in', 'envelope.der', '-offset', String(cipher!.offset), '-length', String(cipher!.header + cipher!.length), '-noout', '-out', 'cipher.der');
    await tmp.openssl('pkeyutl', '-decrypt', '-inkey', 'sign.key', '-in', 'cipher.der', '-out', 'sm4.key');
    const sm4Key = Buffer.from(await tmp.read('sm4.key'));
    expect(sm4Key).toHaveLength(16);
    // -strparse on a BIT STRING writes its bits: the SM4-ECB ciphertext of the 32-byte scalar.
    await tmp.openssl('asn1parse', '-inform', 'DER', '-in', 'envelope.der', '-strparse', String(encryptedKey!.offset), '-noout', '-out', 'd.enc');
    await tmp.openssl('enc', '-d', '-sm4-ecb', '-K', sm4Key.toString('hex'), '-nopad', '-in', 'd.enc', '-out', 'd.bin');
    const scalar = Buffer.from(await tmp.read('d.bin'));
    expect(scalar.equals(Buffer.from(encryption.d))).toBe(true);
    // openssl derives the public point from the bare scalar (an ECPrivateKey with no public key).
    await tmp.write('key.cnf', `asn1=SEQUENCE:ec_key\n[ec_key]\nversion=INTEGER:1\nprivateKey=FORMAT:HEX,OCTETSTRING:${scalar.toString('hex')}\nparameters=EXPLICIT:0,OID:1.2.156.10197.1.301\n`);
    await tmp.openssl('asn1parse', '-genconf', 'key.cnf', '-noout', '-out', 'key.der');
    await tmp.openssl('ec', '-inform', 'DER', '-in', 'key.der', '-pubout', '-out', 'from-scalar.pub');
    await tmp.openssl('x509', '-in', 'enc.pem', '-pubkey', '-noout', '-out', 'cert.pub');
    expect(Buffer.from(await tmp.read('from-scalar.pub')).equals(Buffer.from(await tmp.read('cert.pub')))).toBe(true);
  });

  it('opens its own envelopes and names SM4-ECB with the 65-byte public key', async () => {
    const signing = await signingKey();
    const encryption = generateSm2Key();
    const der = sealEnvelopedKey(signing.publicKey, encryption);
    const fields = decodeEnvelopedKey(der);
    expect(fields.symmetricAlgorithm).toBe(sm4EcbOid);
    expect(Buffer.from(fields.publicKey).equals(Buffer.from(encryption.publicKey))).toBe(true);
    expect(fields.encryptedPrivateKey).toHaveLength(32);
    expect(openEnvelopedKey(signing, der)).toEqual(encryption);
  });

  it('rejects a tampered C3, a changed private key, a wrong signing key and a foreign algorithm', async () => {
    const signing = await signingKey();
    const der = sealEnvelopedKey(signing.publicKey, generateSm2Key());
    await tmp.write('tamper.der', der);
    const [algorithm, cipher, , encryptedKey] = await topLevel(tmp, 'tamper.der');
    const changed = (at: number, to?: number) => {
      const copy = Uint8Array.from(der);
      copy[at] = to ?? copy[at]! ^ 0x01;
      return copy;
    };
    // C3 is the third field of the SM2Cipher: its first content byte sits after two INTEGERs.
    const cipherFields = await (async () => {
      await tmp.write('cipher-only.der', der.subarray(cipher!.offset, cipher!.offset + cipher!.header + cipher!.length));
      return topLevel(tmp, 'cipher-only.der');
    })();
    const c3 = cipherFields[2]!;
    expect(c3.type).toBe('OCTET STRING');
    expect(() => openEnvelopedKey(signing, changed(cipher!.offset + c3.offset + c3.header))).toThrow(/does not decrypt/);
    expect(() => openEnvelopedKey(signing, changed(encryptedKey!.offset + encryptedKey!.header + 1))).toThrow(/does not match|out of range/);
    expect(() => openEnvelopedKey(generateSm2Key(), der)).toThrow(/does not decrypt/);
    // The OID's last arc, 104.1 → 104.2 (SM4-CBC): header of the AlgorithmIdentifier and of the OID, then 7 bytes.
    expect(() => openEnvelopedKey(signing, changed(algorithm!.offset + algorithm!.header + 2 + 7, 0x02))).toThrow(/unsupported symmetric algorithm 1\.2\.156\.10197\.1\.104\.2/);
    expect(() => openEnvelopedKey(signing, Uint8Array.of(0x30, 0))).toThrow(EnvelopeError);
  });
});
