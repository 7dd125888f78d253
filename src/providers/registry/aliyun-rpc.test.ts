import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyRefusal } from './aliyun-rpc.ts';

describe('classifyRefusal', () => {
  it.each([
    ['Throttling', 400],
    ['Throttling.User', 400],
    ['Throttling.Api', 429],
    ['InternalError', 500],
    ['ServiceUnavailable', 503],
    ['SignatureNonceUsed', 400],
    ['500', 200],
    ['SomethingNew', 502],
    ['SomethingNew', 429],
  ])('retries %s (HTTP %i)', (code, status) => {
    expect(classifyRefusal(code, status)).toBe('transient');
  });

  it.each([
    ['401', 200],
    ['InvalidParameter', 401],
  ])("hands %s (HTTP %i) back as the applicant's data", (code, status) => {
    expect(classifyRefusal(code, status)).toBe('input');
  });

  it.each([
    ['SignatureDoesNotMatch', 400],
    ['InvalidAccessKeyId.NotFound', 404],
    ['Forbidden.AccountAccessDenied', 403],
    ['Forbidden.RAMUserAccessDenied', 403],
    ['InvalidTimeStamp.Expired', 400],
    ['InvalidParameter', 400],
    ['MissingParameter', 400],
    ['400', 200],
    ['SomethingNew', 400],
  ])('does not retry %s (HTTP %i): an operator must act', (code, status) => {
    expect(classifyRefusal(code, status)).toBe('configuration');
  });
});

describe('backoffDelay', () => {
  it('doubles per retry and jitters within the upper half', () => {
    expect([1, 2, 3].map((n) => backoffDelay({ backoffMs: 100, random: () => 1 }, n))).toEqual([100, 200, 400]);
    expect([1, 2, 3].map((n) => backoffDelay({ backoffMs: 100, random: () => 0 }, n))).toEqual([50, 100, 200]);
  });
});
