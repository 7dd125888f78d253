import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCsr } from './csr.ts';
import { bits, ctx, fromPem, oid, seq, toPem, uint } from './der.ts';
import { encodeName } from './name.ts';
import { signatureOids } from './signer.ts';
import { generateSm2Key, sm2CurveOid, sm2Sign, sm2Spki } from './sm2.ts';
import { opensslDir, type OpensslDir } from './test-openssl.ts';

describe('PKCS#10 requests', () => {
  let tmp: OpensslDir;
  const text = async (name: string): Promise<string> => new TextDecoder().decode(await tmp.read(name));
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code;
    }
  };

  beforeAll(async () => {
    tmp = await opensslDir();
    await tmp.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'p256.key');
    await tmp.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'sm2.key');
    const subj = ['-subj', '/C=CN/O=北京测试科技有限公司/CN=北京测试科技有限公司', '-utf8'];
    await tmp.openssl('req', '-new', '-key', 'p256.key', '-sha256', ...subj, '-out', 'p256.csr');
    await tmp.openssl('req', '-new', '-key', 'sm2.key', '-sm3', '-sigopt', 'distid:1234567812345678', ...subj, '-out', 'sm2.csr');
  });
  afterAll(() => tmp.remove());

  it('accepts P-256 and SM2 requests that openssl itself verifies, returning the key and its family', async () => {
    expect(await tmp.openssl('req', '-in', 'p256.csr', '-verify', '-noout')).toMatch(/verify OK/i);
    expect(await tmp.openssl('req', '-in', 'sm2.csr', '-verify', '-vfyopt', 'distid:1234567812345678', '-noout')).toMatch(/verify OK/i);
    for (const family of ['p256', 'sm2'] as const) {
      const csr = verifyCsr(await text(`${family}.csr`));
      expect(csr.family).toBe(family);
      expect(csr.requestedSubject).toContain('O=北京测试科技有限公司');
      await tmp.openssl('pkey', '-in', `${family}.key`, '-pubout', '-outform', 'DER', '-out', `${family}.pub`);
      expect(Buffer.from(csr.spki).equals(Buffer.from(await tmp.read(`${family}.pub`)))).toBe(true);
      // DER input works the same as PEM.
      expect(verifyCsr(fromPem(await text(`${family}.csr`))).family).toBe(family);
    }
  });

  it('refuses a tampered request with 证书请求签名无效, as openssl does', async () => {
    for (const family of ['p256', 'sm2'] as const) {
      const der = Uint8Array.from(fromPem(await text(`${family}.csr`)));
      const at = Buffer.from(der).indexOf(Buffer.from('北京'));
      der[at + 1]! ^= 0x01;
      await tmp.write(`${family}-tampered.csr`, toPem('CERTIFICATE REQUEST', der));
      const check = await tmp.opensslStatus('req', '-in', `${family}-tampered.csr`, '-verify', '-vfyopt', 'distid:1234567812345678', '-noout');
      expect(check.output).toMatch(/verify failure|bad signature|Verification failure/i);
      expect(() => verifyCsr(der)).toThrow('证书请求签名无效');
      expect(code(() => verifyCsr(der))).toBe('CSR_BAD_SIGNATURE');
    }
  });

  it('refuses an SM2 request signed without the default ID', async () => {
    await tmp.openssl('req', '-new', '-key', 'sm2.key', '-sm3', '-subj', '/CN=x', '-out', 'noid.csr');
    const noid = await text('noid.csr');
    expect(code(() => verifyCsr(noid))).toBe('CSR_BAD_SIGNATURE');
  });

  it('accepts an SM2 key written with the SM2 OID as its algorithm, and returns the standard SPKI', () => {
    const key = generateSm2Key();
    const info = seq(uint(0), encodeName({ commonName: 'USB Key' }), seq(seq(oid(sm2CurveOid)), bits(key.publicKey)), ctx(0, true));
    const der = seq(info, seq(oid(signatureOids.sm2)), bits(sm2Sign(key, info)));
    const csr = verifyCsr(der);
    expect(csr.family).toBe('sm2');
    expect(Buffer.from(csr.spki).equals(Buffer.from(sm2Spki(key.publicKey)))).toBe(true);
  });

  it('refuses other keys and curves', async () => {
    await tmp.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'p384.key');
    await tmp.openssl('req', '-new', '-key', 'p384.key', '-sha384', '-subj', '/CN=x', '-out', 'p384.csr');
    await tmp.openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'rsa.key');
    await tmp.openssl('req', '-new', '-key', 'rsa.key', '-sha256', '-subj', '/CN=x', '-out', 'rsa.csr');
    await tmp.openssl('req', '-new', '-key', 'p256.key', '-sha384', '-subj', '/CN=x', '-out', 'p256-sha384.csr');
    expect(code(() => verifyCsr(''))).toBe('CSR_MALFORMED');
    const p384 = await text('p384.csr');
    const rsa = await text('rsa.csr');
    expect(code(() => verifyCsr(p384))).toBe('CSR_UNSUPPORTED_KEY');
    expect(code(() => verifyCsr(rsa))).toBe('CSR_UNSUPPORTED_KEY');
    expect(code(() => verifyCsr(Buffer.from('not a request')))).toBe('CSR_MALFORMED');
    const sha384 = await text('p256-sha384.csr');
    expect(code(() => verifyCsr(sha384))).toBe('CSR_ALGORITHM_MISMATCH');
  });
});
