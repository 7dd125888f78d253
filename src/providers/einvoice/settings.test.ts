/** The einvoice section of config.ts: demo defaults that run the simulator, production's demands. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.ts';

const production = {
  CERTDESK_MODE: 'production',
  CERTDESK_SECRET: 'x'.repeat(40),
  CA_KEY_PASSPHRASE: 'ca-passphrase',
};

describe('einvoice configuration', () => {
  it('runs the simulator by default with a demo seller, 6 % and the CA’s service line', () => {
    const { einvoice, caName } = loadConfig({});
    expect(einvoice).toMatchObject({
      provider: 'simulator',
      endpoint: undefined,
      seller: { name: caName, taxNumber: '91150100MA0CERTD94' },
      service: { goodsName: '信息技术服务*数字证书服务费', taxCode: '3040205000000000000', taxRateBp: 600 },
      timeoutMs: 15_000,
    });
    expect(einvoice.appKey).not.toBe('');
    expect(einvoice.seller.bankAccount).toMatch(/\d{10,}$/);
  });

  it('reads the 诺诺 settings', () => {
    const { einvoice } = loadConfig({
      EINVOICE_PROVIDER: 'nuonuo',
      EINVOICE_APP_KEY: 'SD63236305',
      EINVOICE_APP_SECRET: 'S5B0D4A1C2E3F6',
      EINVOICE_SELLER_TAX_NUMBER: '91150105ma0n2q5x1j',
      EINVOICE_TAX_RATE: '0.13',
      EINVOICE_CLERK: '王会计',
    });
    expect(einvoice).toMatchObject({
      provider: 'nuonuo',
      endpoint: 'https://sdk.nuonuo.com/open/v1/services',
      tokenUrl: 'https://open.nuonuo.com/accessToken',
      appKey: 'SD63236305',
      seller: { taxNumber: '91150105MA0N2Q5X1J' },
      service: { taxRateBp: 1300 },
      clerk: '王会计',
    });
  });

  it('refuses a rate or a seller 税号 it cannot use, in Chinese', () => {
    expect(() => loadConfig({ EINVOICE_TAX_RATE: '6%' })).toThrow(/EINVOICE_TAX_RATE 应为小数形式的税率/);
    expect(() => loadConfig({ EINVOICE_SELLER_TAX_NUMBER: '91150105MA0N2Q5X1K' })).toThrow(ConfigError);
    expect(() => loadConfig({ EINVOICE_TAX_CODE: '304020500' })).toThrow(/19位税收分类编码/);
  });

  it('demands the platform’s credentials and the real seller in production', () => {
    expect(() => loadConfig(production)).toThrow(/EINVOICE_APP_KEY, EINVOICE_APP_SECRET, EINVOICE_SELLER_TAX_NUMBER, EINVOICE_SELLER_ADDRESS, EINVOICE_SELLER_PHONE, EINVOICE_SELLER_BANK_ACCOUNT, EINVOICE_CLERK/);
  });
});
