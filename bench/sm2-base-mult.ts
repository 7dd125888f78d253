/**
 * Why sm2.ts computes the signature's k·G with OpenSSL: times k·G on the SM2 curve three ways.
 * Run: npx tsx bench/sm2-base-mult.ts
 */
import { createECDH, randomBytes } from 'node:crypto';
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';

const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const Point = weierstrass({
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: N,
  h: 1n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
});
const scalars = Array.from({ length: 3000 }, () => (BigInt(`0x${randomBytes(32).toString('hex')}`) % (N - 1n)) + 1n);

function rate(label: string, run: (k: bigint) => void): void {
  const start = performance.now();
  for (const k of scalars) run(k);
  console.log(`${label.padEnd(40)} ${Math.round((scalars.length / (performance.now() - start)) * 1000)}/s`);
}

for (const w of [8, 10]) {
  const started = performance.now();
  Point.BASE.precompute(w, false);
  console.log(`noble table W=${w} built in ${Math.round(performance.now() - started)} ms`);
  rate(`noble multiply (constant-time) W=${w}`, (k) => void Point.BASE.multiply(k).x);
  rate(`noble multiplyUnsafe W=${w}`, (k) => void Point.BASE.multiplyUnsafe(k).x);
}
const ecdh = createECDH('SM2');
rate('OpenSSL createECDH(SM2)', (k) => {
  ecdh.setPrivateKey(Buffer.from(k.toString(16).padStart(64, '0'), 'hex'));
  ecdh.getPublicKey();
});
