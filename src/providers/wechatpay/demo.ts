/**
 * A simulated merchant for demo mode and tests: fresh merchant and platform keys and an APIv3 key,
 * made at start so no secret lives in the repository, returned as a pair that fits together — the
 * adapter's configuration and the simulator's options.
 */
import { randomBytes } from 'node:crypto';
import type { WechatPayConfig } from './client.ts';
import { generateRsaKeyPair, generateRsaKeyPairInBackground, randomNonce, type RsaKeyPair } from './signing.ts';
import type { WechatPaySimulatorOptions } from './simulator.ts';

export interface SimulatedMerchant {
  /** Without baseUrl: the simulator's address is known only once the server listens. */
  merchant: Omit<WechatPayConfig, 'baseUrl'>;
  simulator: WechatPaySimulatorOptions;
}

export interface SimulatedMerchantOptions {
  mchid?: string;
  appid?: string;
  merchantName?: string;
}

export function simulatedMerchant(options: SimulatedMerchantOptions = {}): SimulatedMerchant {
  return pairOf(generateRsaKeyPair(), generateRsaKeyPair(), options);
}

/**
 * The same, its two RSA keys (~0.25 s of CPU) made on the thread pool: a server starting asks for
 * them first and takes them once its database is open, instead of waiting for them at each start.
 */
export async function simulatedMerchantInBackground(options: SimulatedMerchantOptions = {}): Promise<SimulatedMerchant> {
  const [merchantKey, platformKey] = await Promise.all([generateRsaKeyPairInBackground(), generateRsaKeyPairInBackground()]);
  return pairOf(merchantKey, platformKey, options);
}

function pairOf(merchantKey: RsaKeyPair, platformKey: RsaKeyPair, options: SimulatedMerchantOptions): SimulatedMerchant {
  // The example merchant and app ids of WeChat Pay's documentation: plainly not a real account.
  const mchid = options.mchid ?? '1900000109';
  const appid = options.appid ?? 'wxd678efh567hg6787';
  // Shaped like the real ones: a 40-hex certificate serial, a 微信支付公钥 id.
  const merchantSerialNo = randomBytes(20).toString('hex').toUpperCase();
  const platformSerial = `PUB_KEY_ID_01${randomBytes(16).toString('hex').toUpperCase()}`;
  const apiV3Key = randomNonce();
  return {
    merchant: {
      mchid,
      appid,
      merchantSerialNo,
      merchantPrivateKeyPem: merchantKey.privateKeyPem,
      platformPublicKeys: { [platformSerial]: platformKey.publicKeyPem },
      apiV3Key,
    },
    simulator: {
      mchid,
      appid,
      merchantName: options.merchantName ?? 'CertDesk 数字证书认证中心',
      merchantPublicKeys: { [merchantSerialNo]: merchantKey.publicKeyPem },
      apiV3Key,
      platformKey: { serial: platformSerial, privateKeyPem: platformKey.privateKeyPem },
    },
  };
}
