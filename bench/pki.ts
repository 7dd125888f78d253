/**
 * Certificates per second, building + signing, no database: P-256 and SM2 unit signing
 * certificates from a fresh issuing CA, and bare signatures by our Signer, printed beside `openssl speed` sign rates measured in the
 * same run on the same machine. Not a test: run `npx tsx bench/pki.ts` (BENCH_SECONDS, default 3).
 */
import { caInit, issueCertificate } from '../src/pki/certificate.ts';
import { generateKey } from '../src/pki/keys.ts';
import { profiles, unitSubject, validityEnd } from '../src/pki/profiles.ts';
import type { KeyFamily } from '../src/pki/signer.ts';
import { opensslSignRate } from './openssl-speed.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);

function certificatesPerSecond(family: KeyFamily): { rate: number; bytes: number } {
  const now = new Date();
  const ca = caInit({ family, baseUrl: 'https://ca.example.cn', now });
  const issuer = { signer: ca.issuing.key.signer, certificate: ca.issuing.certificate, caName: ca.issuing.caName };
  // Subject keys are made beforehand: in production they come from CSRs, not from the CA's time.
  const spkis = Array.from({ length: 200 }, () => generateKey(family).signer.spki);
  const notAfter = validityEnd(profiles.unitSigning, now);
  let count = 0;
  let bytes = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  while (performance.now() < deadline) {
    for (let i = 0; i < 50; i++) {
      const der = issueCertificate({
        profile: profiles.unitSigning,
        subject: unitSubject(`测试单位${count}有限公司`, '91110108MA01ABCD2X'),
        subjectSpki: spkis[count % spkis.length]!,
        issuer,
        notBefore: now,
        notAfter,
        baseUrl: 'https://ca.example.cn',
      });
      bytes = der.length;
      count++;
    }
  }
  return { rate: (count / (performance.now() - started)) * 1000, bytes };
}

/** Bare signatures by our Signer over a certificate-sized message, for the SM2 implementation choice. */
function signaturesPerSecond(family: KeyFamily): number {
  const { signer } = generateKey(family);
  const message = new Uint8Array(700);
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    for (let i = 0; i < 50; i++) signer.sign(message);
    count += 50;
  }
  return (count / (performance.now() - started)) * 1000;
}

const rows: string[][] = [['family', 'certificates/s', 'signatures/s', 'openssl speed sign/s', 'certs/openssl', 'cert bytes']];
for (const [family, algorithm] of [['p256', 'ecdsap256'], ['sm2', 'sm2']] as const) {
  const openssl = opensslSignRate(algorithm);
  const ours = certificatesPerSecond(family);
  const signatures = signaturesPerSecond(family);
  rows.push([family, ours.rate.toFixed(0), signatures.toFixed(0), openssl.toFixed(0), (ours.rate / openssl).toFixed(2), String(ours.bytes)]);
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const row of rows) console.log(row.map((cell, c) => cell.padStart(widths[c]!)).join('  '));
