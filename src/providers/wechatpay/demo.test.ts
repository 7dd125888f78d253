/**
 * The simulated merchant made on the thread pool (what a server starting makes) fits together as
 * the one made at once: what the adapter signs with its merchant key the simulator verifies with
 * the merchant's public key, and what the simulator signs as the platform the adapter verifies.
 */
import { describe, expect, it } from 'vitest';
import { simulatedMerchantInBackground } from './demo.ts';
import { rsaSign, rsaVerify } from './signing.ts';

describe('simulatedMerchantInBackground', () => {
  it('makes a merchant and a platform key pair that verify each other’s signatures, and two calls make different keys', async () => {
    const [pair, other] = await Promise.all([simulatedMerchantInBackground({ merchantName: '测试CA' }), simulatedMerchantInBackground()]);
    const message = 'POST\n/v3/pay/transactions/native\n1764900000\nnonce\n{}\n';
    const [merchantSerial, merchantPublic] = Object.entries(pair.simulator.merchantPublicKeys)[0]!;
    expect(merchantSerial).toBe(pair.merchant.merchantSerialNo);
    expect(rsaVerify(message, rsaSign(message, pair.merchant.merchantPrivateKeyPem), merchantPublic)).toBe(true);
    const platformKey = pair.simulator.platformKey!;
    const platformPublic = pair.merchant.platformPublicKeys[platformKey.serial]!;
    expect(rsaVerify(message, rsaSign(message, platformKey.privateKeyPem), platformPublic)).toBe(true);
    expect(rsaVerify(message, rsaSign(message, other.merchant.merchantPrivateKeyPem), merchantPublic)).toBe(false);
    expect(pair.simulator.merchantName).toBe('测试CA');
    expect(pair.merchant.apiV3Key).toBe(pair.simulator.apiV3Key);
  });
});
