import { describe, expect, it } from 'vitest';
import { deriveKeys, hmacHex, seal, unseal } from './keys.ts';

describe('keys', () => {
  const keys = deriveKeys('a master secret of at least thirty-two characters');

  it('derives different keys for different purposes', () => {
    expect(keys.codeHmac.equals(keys.jobSeal)).toBe(false);
    expect(keys.totpSeal.equals(keys.jobSeal)).toBe(false);
    expect(keys.totpSeal.equals(keys.codeHmac)).toBe(false);
    expect(deriveKeys('another master secret, also long enough!!').codeHmac.equals(keys.codeHmac)).toBe(false);
  });

  it('seals and unseals a payload, and the sealed text does not contain it', () => {
    const sealed = seal(keys.jobSeal, { code: '482913' });
    expect(sealed).not.toContain('482913');
    expect(unseal(keys.jobSeal, sealed)).toEqual({ code: '482913' });
  });

  it('refuses a tampered payload', () => {
    const sealed = Buffer.from(seal(keys.jobSeal, { code: '482913' }), 'base64url');
    sealed[sealed.length - 1]! ^= 1;
    expect(() => unseal(keys.jobSeal, sealed.toString('base64url'))).toThrow();
  });

  it('separates the parts it hashes', () => {
    expect(hmacHex(keys.codeHmac, '1', '23')).not.toBe(hmacHex(keys.codeHmac, '12', '3'));
  });
});
