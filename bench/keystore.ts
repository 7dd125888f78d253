/**
 * What a CA key on a PKCS#11 token costs: P-256 signatures/s and unit certificates/s (built and
 * signed, no database) with the issuing key in the encrypted file store and on a softhsm2 token,
 * beside `openssl speed` in the same run. softhsm2 signs in the same process through its
 * library, so the gap is the PKCS#11 round trip (C_SignInit + C_Sign, pkcs11js, the token's own
 * OpenSSL call); a network HSM adds its latency on top. Part of `npm run bench`; alone:
 * `npx tsx bench/keystore.ts` (BENCH_SECONDS, default 3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { issueCertificate } from '../src/pki/certificate.ts';
import { generateKey } from '../src/pki/keys.ts';
import { FileKeyStore, initCaInStore, type KeyStore } from '../src/pki/keystore.ts';
import { Pkcs11KeyStore } from '../src/pki/pkcs11-keystore.ts';
import { profiles, unitSubject, validityEnd } from '../src/pki/profiles.ts';
import { softhsmMissing, softhsmToken } from '../src/pki/test-softhsm.ts';
import { opensslSignRate } from './openssl-speed.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);

/** Runs `step` (which does `per` operations) for SECONDS; returns operations/s. */
function rate(step: () => void, per: number): number {
  for (let i = 0; i < 20; i++) step(); // warm-up
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    step();
    count += per;
  }
  return (count / (performance.now() - started)) * 1000;
}

async function measure(store: KeyStore): Promise<{ signatures: number; certificates: number }> {
  const now = new Date();
  const ca = await initCaInStore(store, { family: 'p256', baseUrl: 'https://ca.example.cn', now });
  const signer = await store.signer('p256-issuing');
  const message = new Uint8Array(700);
  const signatures = rate(() => {
    for (let i = 0; i < 50; i++) signer.sign(message);
  }, 50);
  const issuer = { signer, certificate: ca.issuing.certificate, caName: ca.issuing.caName };
  const spkis = Array.from({ length: 200 }, () => generateKey('p256').signer.spki);
  const notAfter = validityEnd(profiles.unitSigning, now);
  let n = 0;
  const certificates = rate(() => {
    for (let i = 0; i < 20; i++, n++) {
      issueCertificate({
        profile: profiles.unitSigning,
        subject: unitSubject(`测试单位${n}有限公司`, '91110108MA01ABCD2X'),
        subjectSpki: spkis[n % spkis.length]!,
        issuer,
        notBefore: now,
        notAfter,
        baseUrl: 'https://ca.example.cn',
      });
    }
  }, 20);
  return { signatures, certificates };
}

const missing = softhsmMissing();
if (missing) {
  console.log(`\n(PKCS#11 key store not measured: ${missing})`);
} else {
  const work = mkdtempSync(path.join(tmpdir(), 'certdesk-keystore-bench-'));
  const token = await softhsmToken('certdesk-bench');
  token.use();
  const p11 = await Pkcs11KeyStore.open({ modulePath: token.modulePath, tokenLabel: token.label, pin: token.pin });
  try {
    const files = await FileKeyStore.open(path.join(work, 'keys'), 'bench-ca-passphrase');
    const file = await measure(files);
    const hsm = await measure(p11);
    const openssl = opensslSignRate('ecdsap256');
    const rows = [
      ['P-256 issuing key in', 'signatures/s', 'certificates/s', 'signatures vs file', 'certificates vs file'],
      ['encrypted file store', file.signatures.toFixed(0), file.certificates.toFixed(0), '1.00', '1.00'],
      [
        'softhsm2 (PKCS#11)',
        hsm.signatures.toFixed(0),
        hsm.certificates.toFixed(0),
        (hsm.signatures / file.signatures).toFixed(2),
        (hsm.certificates / file.certificates).toFixed(2),
      ],
      ['openssl speed ecdsap256', openssl.toFixed(0), '', '', ''],
    ];
    console.log(`\nCA key stores: P-256 signatures over 700 bytes and unit certificates (no database), ${SECONDS}s each, ${new Date().toISOString()}`);
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  } finally {
    await p11.close();
    await token.remove();
    rmSync(work, { recursive: true, force: true });
  }
}
