/** `openssl speed` sign rates, the yardstick printed beside our own figures in the same run. */
import { execFileSync } from 'node:child_process';

/** openssl speed's "sign/s" column for the one algorithm asked. */
export function opensslSignRate(algorithm: 'ecdsap256' | 'sm2'): number {
  const out = execFileSync('openssl', ['speed', '-seconds', '1', algorithm], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const line = out.split('\n').find((l) => /^\s*256 bits (ecdsa|SM2)/.test(l));
  const figures = line?.trim().split(/\s+/) ?? [];
  const signRate = Number(figures[figures.length - 2]);
  if (!Number.isFinite(signRate)) throw new Error(`cannot read openssl speed output:\n${out}`);
  return signRate;
}
