import { Secret, TOTP, URI } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { codeAtStep, currentCode, matchingSteps, newTotpSecret, otpauthUrl, qrDataUrl, secondsLeftInStep, timeStep } from './totp.ts';

// RFC 6238 appendix B: the SHA-1 seed "12345678901234567890"; the 6-digit codes are the last six
// digits of the published 8-digit values.
const rfcSecret = Secret.fromLatin1('12345678901234567890').base32;

describe('TOTP', () => {
  it('computes the RFC 6238 test vectors', () => {
    expect(currentCode(rfcSecret, new Date(59_000))).toBe('287082');
    expect(currentCode(rfcSecret, new Date(1_111_111_109_000))).toBe('081804');
    expect(currentCode(rfcSecret, new Date(1_234_567_890_000))).toBe('005924');
    expect(currentCode(rfcSecret, new Date(20_000_000_000_000))).toBe('353130');
  });

  it('accepts one 30-second step either side and no further', () => {
    const now = new Date('2026-03-01T02:00:10Z');
    const step = timeStep(now);
    expect(matchingSteps(rfcSecret, codeAtStep(rfcSecret, step), now)).toEqual([step]);
    expect(matchingSteps(rfcSecret, codeAtStep(rfcSecret, step - 1), now)).toEqual([step - 1]);
    expect(matchingSteps(rfcSecret, codeAtStep(rfcSecret, step + 1), now)).toEqual([step + 1]);
    expect(matchingSteps(rfcSecret, codeAtStep(rfcSecret, step - 2), now)).toEqual([]);
    expect(matchingSteps(rfcSecret, codeAtStep(rfcSecret, step + 2), now)).toEqual([]);
    expect(matchingSteps(rfcSecret, '12345', now)).toEqual([]);
    expect(matchingSteps(rfcSecret, 'abcdef', now)).toEqual([]);
  });

  it('gives authenticator apps an otpauth URI with issuer CertDesk and the username', () => {
    const secret = newTotpSecret();
    expect(Secret.fromBase32(secret).bytes.length).toBe(20);
    const uri = otpauthUrl('li.ming', secret);
    expect(uri.startsWith('otpauth://totp/CertDesk:li.ming?')).toBe(true);
    const parsed = URI.parse(uri);
    expect(parsed).toBeInstanceOf(TOTP);
    const totp = parsed as TOTP;
    expect(totp.issuer).toBe('CertDesk');
    expect(totp.label).toBe('li.ming');
    expect(totp.algorithm).toBe('SHA1');
    expect(totp.digits).toBe(6);
    expect(totp.period).toBe(30);
    const now = new Date();
    expect(totp.generate({ timestamp: now.getTime() })).toBe(currentCode(secret, now));
  });

  it('draws the QR code as a PNG data: URL', async () => {
    const url = await qrDataUrl(otpauthUrl('li.ming', newTotpSecret()));
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    const png = Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('says how long the current code lasts', () => {
    expect(secondsLeftInStep(new Date('2026-03-01T02:00:00Z'))).toBe(30);
    expect(secondsLeftInStep(new Date('2026-03-01T02:00:29Z'))).toBe(1);
  });
});
