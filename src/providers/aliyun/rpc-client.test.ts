import { describe, expect, it } from 'vitest';
import { redact } from './rpc-client.ts';

describe('redact', () => {
  it("drops the quoted string-to-sign and every form of the applicant's data", () => {
    const message =
      'Specified signature is not matched. server string to sign is:POST&%2F&IdentifyNum%3D150105198203154218';
    expect(redact(message, ['150105198203154218'])).toBe('Specified signature is not matched.');
    expect(redact('号码 13904711234 与 %E5%B7%B4%E7%89%B9%E5%B0%94 不符', ['13904711234', '巴特尔'])).toBe(
      '号码 *** 与 *** 不符',
    );
  });

  it('keeps messages short', () => {
    expect(redact('x'.repeat(500), []).length).toBeLessThanOrEqual(201);
  });
});
