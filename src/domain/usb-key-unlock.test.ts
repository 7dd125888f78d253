import { describe, expect, it } from 'vitest';
import { assertMayRequestUnlock, groupHex, maskKeySerial, parseChallenge } from './usb-key-unlock.ts';

const policy = { perKeyPerHour: 2, perHolderPerDay: 3 };
const at = (iso: string) => new Date(iso);

describe('解锁 rules', () => {
  it('reads a challenge as the key tool shows it', () => {
    expect(Array.from(parseChallenge('0102 0304-0506 0a0B'))).toEqual([1, 2, 3, 4, 5, 6, 10, 11]);
    expect(parseChallenge('00'.repeat(16))).toHaveLength(16);
    expect(() => parseChallenge('0102')).toThrow('挑战码应为 16 位或 32 位十六进制字符');
    expect(() => parseChallenge('zz'.repeat(8))).toThrow('挑战码');
  });

  it('counts a key per rolling hour and a holder per rolling day, naming when to ask again (Beijing time)', () => {
    const now = at('2026-03-02T06:30:00Z'); // 14:30 in Beijing
    expect(() => assertMayRequestUnlock(policy, { keyRequests: [at('2026-03-02T06:00:00Z')], holderRequests: [] }, now)).not.toThrow();
    const key = { keyRequests: [at('2026-03-02T05:50:00Z'), at('2026-03-02T06:10:00Z')], holderRequests: [] };
    expect(() => assertMayRequestUnlock(policy, key, now)).toThrow('操作过于频繁，请于14:50后再试');
    // An hour later the first request has left the window.
    expect(() => assertMayRequestUnlock(policy, key, at('2026-03-02T06:51:00Z'))).not.toThrow();
    const holder = { keyRequests: [], holderRequests: [at('2026-03-01T07:00:30Z'), at('2026-03-01T20:00:00Z'), at('2026-03-02T06:00:00Z')] };
    expect(() => assertMayRequestUnlock(policy, holder, now)).toThrow('操作过于频繁，请于15:01后再试');
    // 23:30 in Beijing: free again after midnight, so the day is named.
    const late = { keyRequests: [], holderRequests: [at('2026-03-01T16:10:00Z'), at('2026-03-02T10:00:00Z'), at('2026-03-02T15:00:00Z')] };
    expect(() => assertMayRequestUnlock(policy, late, at('2026-03-02T15:30:00Z'))).toThrow('操作过于频繁，请于3月3日 00:10后再试');
  });

  it('masks a serial and groups an answer for reading', () => {
    expect(maskKeySerial('FT2026A0001234')).toBe('FT****1234');
    expect(groupHex('a1b2c3d4e5f60718')).toBe('A1B2 C3D4 E5F6 0718');
  });
});
