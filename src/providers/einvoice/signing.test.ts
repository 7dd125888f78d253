/**
 * X-Nuonuo-Sign pinned to the documented form: the canonical string spelled out here by hand,
 * and the HMAC-SHA1 computed by the openssl CLI, not by the code under test.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { newNonce, newSenid, nuonuoSign, signedSegments, signingString, unixSeconds } from './signing.ts';

const parts = {
  path: '/open/v1/services',
  appKey: 'SD63236305',
  senid: '0d8b6a2c4e1f40a9b3c7d5e6f7a8b9c0',
  nonce: '53819472',
  timestamp: '1790121600',
  body: '{"orderNos":["CDI0001"],"isOfferInvoiceDetail":"0"}',
};

function opensslHmacSha1Base64(key: string, message: string): string {
  return execFileSync('openssl', ['dgst', '-sha1', '-hmac', key, '-binary'], { input: message }).toString('base64');
}

describe('X-Nuonuo-Sign', () => {
  it('signs a=services&l=v1&p=open&k=…&i=…&n=…&t=…&f=<body> with HMAC-SHA1 and Base64', () => {
    const expected =
      'a=services&l=v1&p=open&k=SD63236305&i=0d8b6a2c4e1f40a9b3c7d5e6f7a8b9c0&n=53819472&t=1790121600&f={"orderNos":["CDI0001"],"isOfferInvoiceDetail":"0"}';
    expect(signingString(parts)).toBe(expected);
    expect(nuonuoSign('S5B0D4A1C2E3F6', parts)).toBe(opensslHmacSha1Base64('S5B0D4A1C2E3F6', expected));
  });

  it('covers the body as UTF-8 bytes, Chinese included', () => {
    const body = '{"order":{"buyerName":"内蒙古草原云数据有限公司"}}';
    const message = signingString({ ...parts, body });
    expect(nuonuoSign('secret', { ...parts, body })).toBe(opensslHmacSha1Base64('secret', message));
    expect(nuonuoSign('secret', { ...parts, body: body.replace('草原', '草场') })).not.toBe(nuonuoSign('secret', { ...parts, body }));
  });

  it('names the last three path segments, so a simulator under a prefix signs like the real endpoint', () => {
    expect(signedSegments('/open/v1/services')).toEqual({ a: 'services', l: 'v1', p: 'open' });
    expect(signedSegments('/sim/nuonuo/open/v1/services?senid=x&nonce=1')).toEqual({ a: 'services', l: 'v1', p: 'open' });
    expect(signingString({ ...parts, path: '/sim/nuonuo/open/v1/services' })).toBe(signingString(parts));
    expect(signedSegments('/services')).toBeUndefined();
    expect(() => signingString({ ...parts, path: '/v1' })).toThrow(/service path/);
  });

  it('makes the envelope values the documentation asks for', () => {
    expect(newSenid()).toMatch(/^[0-9a-f]{32}$/);
    expect(newSenid()).not.toBe(newSenid());
    for (let i = 0; i < 50; i++) expect(newNonce()).toMatch(/^[1-9]\d{7}$/);
    expect(unixSeconds(new Date('2026-09-23T00:00:00.999Z'))).toBe('1790121600');
  });
});
