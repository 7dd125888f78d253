/**
 * The wire formats of WeChat Pay API v3 pinned to its documentation's examples, and the AEAD
 * decryption pinned to a vector computed once with Node's crypto, so a change to either side of
 * the protocol shows up here and not only as a mysterious SIGN_ERROR in production.
 */
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  aeadDecrypt,
  aeadEncrypt,
  authorizationHeader,
  beijingTime,
  checkPlatformSignature,
  generateRsaKeyPair,
  parseAuthorization,
  publicKeyFromPem,
  requestSigningMessage,
  responseSigningMessage,
  rsaSign,
  rsaVerify,
  signAsPlatform,
  wechatpayHeaders,
} from './signing.ts';

const KEY = 'CertDeskAPIv3KeyForUnitTests2026';
const NONCE = 'CertDesk2026';
const PLAINTEXT = '{"out_trade_no":"CD20261126001","amount":{"total":19500}}';
/** aes-256-gcm of PLAINTEXT under KEY, NONCE and associated data "transaction", then the tag, base64. */
const CIPHERTEXT = 'xsZBDvJ9WDMXHw5BIM/llBHBgWRBUqbbEZTuaTCb4Hl+xSXT1vIjAyf1zmowC3kQEWbQl5Te75rU+vCADNRWQqOzxpCdHn7qgg==';

describe('request signing', () => {
  it('builds the documented five-line message, the body line empty for GET', () => {
    expect(requestSigningMessage('GET', '/v3/certificates', '1554208460', '593BEC0C930BF1AFEB40B4A08C8FB242', '')).toBe(
      'GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n',
    );
    expect(
      requestSigningMessage('post', '/v3/pay/transactions/out-trade-no/CD1/close', '1554208460', 'N', '{"mchid":"1900000109"}'),
    ).toBe('POST\n/v3/pay/transactions/out-trade-no/CD1/close\n1554208460\nN\n{"mchid":"1900000109"}\n');
  });

  it('formats the Authorization header as documented and reads it back', () => {
    const parts = {
      mchid: '1900009191',
      nonce_str: '593BEC0C930BF1AFEB40B4A08C8FB242',
      signature: 'uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XmUgx9FmvpfR7D+MTuUMWGx+4KUjdPn5vmOyGe8R/z2cL9GMzXiA==',
      timestamp: '1554208460',
      serial_no: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
    };
    const header = authorizationHeader(parts);
    expect(header).toBe(
      `WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="${parts.signature}",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"`,
    );
    expect(parseAuthorization(header)).toEqual(parts);
  });

  it('refuses Authorization headers of another scheme or with missing parts', () => {
    expect(parseAuthorization(undefined)).toBeUndefined();
    expect(parseAuthorization('Bearer abc')).toBeUndefined();
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="s"')).toBeUndefined();
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",signature="s",timestamp="soon",serial_no="s"')).toBeUndefined();
  });

  it('signs with RSA-SHA256 so that only the matching public key verifies', () => {
    const mine = generateRsaKeyPair();
    const other = generateRsaKeyPair();
    const message = requestSigningMessage('GET', '/v3/refund/domestic/refunds/R1', '1554208460', 'N', '');
    const signature = rsaSign(message, mine.privateKeyPem);
    expect(rsaVerify(message, signature, mine.publicKeyPem)).toBe(true);
    expect(rsaVerify(message, signature, other.publicKeyPem)).toBe(false);
    expect(rsaVerify(`${message} `, signature, mine.publicKeyPem)).toBe(false);
    expect(rsaVerify(message, 'not base64 at all', mine.publicKeyPem)).toBe(false);
  });
});

describe('answer and notification signatures', () => {
  const platform = generateRsaKeyPair();
  const serial = 'PUB_KEY_ID_0000000000000024101100397200000006';
  const keys = new Map([[serial, publicKeyFromPem(platform.publicKeyPem)]]);
  const at = new Date('2026-11-26T08:00:00Z');

  it('builds the documented three-line message; an empty 204 body leaves a bare newline', () => {
    expect(responseSigningMessage('1722850421', 'd824f2e086d3c1df967785d13fcd22ef', '{"code_url":"weixin://wxpay/bizpayurl?pr=JyC91EIz1"}')).toBe(
      '1722850421\nd824f2e086d3c1df967785d13fcd22ef\n{"code_url":"weixin://wxpay/bizpayurl?pr=JyC91EIz1"}\n',
    );
    expect(responseSigningMessage('1722850421', 'n', '')).toBe('1722850421\nn\n\n');
  });

  it('accepts a signature by the key held for the serial, within five minutes either way', () => {
    const headers = lower(wechatpayHeaders(signAsPlatform('', { serial, privateKey: platform.privateKeyPem }, at)));
    expect(checkPlatformSignature(headers, '', keys, at)).toEqual({ ok: true });
    expect(checkPlatformSignature(headers, '', keys, new Date(at.getTime() + 299_000))).toEqual({ ok: true });
    expect(checkPlatformSignature(headers, '', keys, new Date(at.getTime() - 299_000))).toEqual({ ok: true });
    expect(checkPlatformSignature(headers, '', keys, new Date(at.getTime() + 301_000))).toMatchObject({ ok: false, reason: 'stale' });
    expect(checkPlatformSignature(headers, '', keys, new Date(at.getTime() - 301_000))).toMatchObject({ ok: false, reason: 'stale' });
  });

  it('refuses another body, an unknown serial, missing headers and the signature probe', () => {
    const body = '{"code_url":"weixin://wxpay/bizpayurl?pr=JyC91EIz1"}';
    const headers = lower(wechatpayHeaders(signAsPlatform(body, { serial, privateKey: platform.privateKeyPem }, at)));
    expect(checkPlatformSignature(headers, body, keys, at)).toEqual({ ok: true });
    expect(checkPlatformSignature(headers, body.replace('JyC91EIz1', 'Attacker1'), keys, at)).toMatchObject({ reason: 'forged' });
    expect(checkPlatformSignature({ ...headers, 'wechatpay-serial': 'PUB_KEY_ID_OTHER' }, body, keys, at)).toMatchObject({ reason: 'forged' });
    expect(checkPlatformSignature({ ...headers, 'wechatpay-signature': undefined }, body, keys, at)).toMatchObject({ reason: 'forged' });
    const probe = { ...headers, 'wechatpay-signature': `WECHATPAY/SIGNTEST/${String(headers['wechatpay-signature'])}` };
    expect(checkPlatformSignature(probe, body, keys, at)).toMatchObject({ reason: 'forged', detail: 'signature probe' });
  });
});

describe('AEAD_AES_256_GCM', () => {
  it('decrypts the pinned vector', () => {
    expect(aeadDecrypt(KEY, NONCE, 'transaction', CIPHERTEXT)).toBe(PLAINTEXT);
  });

  it('encrypts to the same bytes as Node’s aes-256-gcm with the tag appended', () => {
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(KEY), Buffer.from(NONCE));
    cipher.setAAD(Buffer.from('transaction'));
    const expected = Buffer.concat([cipher.update(PLAINTEXT, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
    expect(aeadEncrypt(KEY, NONCE, 'transaction', PLAINTEXT)).toBe(expected);
    expect(expected).toBe(CIPHERTEXT);
  });

  it('refuses another key, nonce, associated data or a flipped bit', () => {
    expect(() => aeadDecrypt('CertDeskAPIv3KeyForUnitTests2027', NONCE, 'transaction', CIPHERTEXT)).toThrow();
    expect(() => aeadDecrypt(KEY, 'CertDesk2027', 'transaction', CIPHERTEXT)).toThrow();
    expect(() => aeadDecrypt(KEY, NONCE, 'refund', CIPHERTEXT)).toThrow();
    const bytes = Buffer.from(CIPHERTEXT, 'base64');
    bytes[3] = (bytes[3] ?? 0) ^ 1;
    expect(() => aeadDecrypt(KEY, NONCE, 'transaction', bytes.toString('base64'))).toThrow();
    expect(() => aeadDecrypt(KEY, NONCE, 'transaction', 'c2hvcnQ=')).toThrow();
  });

  it('needs a 32-byte APIv3 key', () => {
    expect(() => aeadEncrypt('too short', NONCE, 'transaction', PLAINTEXT)).toThrow(/32 bytes/);
  });
});

describe('beijingTime', () => {
  it('is RFC 3339 to the second at +08:00, as time_expire wants it', () => {
    expect(beijingTime(new Date('2026-11-26T16:30:05.789Z'))).toBe('2026-11-27T00:30:05+08:00');
    expect(new Date(beijingTime(new Date('2026-11-26T16:30:05Z'))).toISOString()).toBe('2026-11-26T16:30:05.000Z');
  });
});

function lower(headers: Record<string, string>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
