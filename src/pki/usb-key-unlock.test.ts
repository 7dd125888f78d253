import { describe, expect, it } from 'vitest';
import { diversificationBlock, keyCheckValue, sm4Cipher, sm4EcbEncrypt, unlockResponse } from './usb-key-unlock.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('USB key unlock (SKF device authentication with SM4)', () => {
  it('encrypts the GB/T 32907-2016 example block', () => {
    const k = hex('0123456789abcdeffedcba9876543210');
    expect(toHex(sm4EcbEncrypt(k, k))).toBe('681edf34d206965e86b3e94f536e4246');
  });

  it('diversifies from the serial as D ‖ NOT(D), whatever case the holder types', () => {
    const block = diversificationBlock(' ab12cd34ef567890 ');
    expect(toHex(block)).toBe(toHex(diversificationBlock('AB12CD34EF567890')));
    for (let i = 0; i < 8; i++) expect(block[i]! ^ block[8 + i]!).toBe(0xff);
    expect(toHex(diversificationBlock('XXAB12CD34EF567890'))).not.toBe(toHex(block));
  });

  it('answers differently for another key or another challenge, and names the master key by its check value only', () => {
    const master = sm4Cipher(hex('00112233445566778899aabbccddeeff'));
    const challenge = hex('0102030405060708');
    const answer = toHex(unlockResponse(master, 'KEY-0001', challenge));
    expect(answer).toMatch(/^[0-9a-f]{32}$/);
    expect(toHex(unlockResponse(master, 'KEY-0002', challenge))).not.toBe(answer);
    expect(toHex(unlockResponse(master, 'KEY-0001', hex('0102030405060709')))).not.toBe(answer);
    expect(keyCheckValue(master)).toMatch(/^[0-9a-f]{6}$/);
    expect(() => unlockResponse(master, 'KEY-0001', hex('0102'))).toThrow();
  });
});
