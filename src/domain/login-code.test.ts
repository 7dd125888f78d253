import { describe, expect, it } from 'vitest';
import { defaultAuthPolicy as policy } from '../config.ts';
import { refusal } from './testing.ts';
import { assertMayIssueCode, attemptRefusal, judgeAttempt, startOfShanghaiDay } from './login-code.ts';

const now = new Date('2026-11-25T08:00:00Z');
const none = { lastIssuedAt: null, issuedTodayForPhone: 0, issuedLastHourForIp: 0 };


describe('issuing a code', () => {
  it('allows a first code', () => {
    expect(() => assertMayIssueCode(policy, none, now)).not.toThrow();
  });

  it('refuses within the 60 s cooldown and says how long to wait', () => {
    const err = refusal(() =>
      assertMayIssueCode(policy, { ...none, lastIssuedAt: new Date(now.getTime() - 15_500) }, now),
    );
    expect(err.code).toBe('CODE_COOLDOWN');
    expect(err.status).toBe(429);
    expect(err.details).toEqual({ retryAfterSeconds: 45 });
    expect(err.message).toBe('验证码已发送，请45秒后再获取');
  });

  it('allows again exactly when the cooldown has passed', () => {
    expect(() =>
      assertMayIssueCode(policy, { ...none, lastIssuedAt: new Date(now.getTime() - 60_000) }, now),
    ).not.toThrow();
  });

  it('stops at ten codes a day per phone', () => {
    expect(() => assertMayIssueCode(policy, { ...none, issuedTodayForPhone: 9 }, now)).not.toThrow();
    expect(refusal(() => assertMayIssueCode(policy, { ...none, issuedTodayForPhone: 10 }, now)).code).toBe(
      'PHONE_DAILY_LIMIT',
    );
  });

  it('stops an address that asks too often', () => {
    const err = refusal(() =>
      assertMayIssueCode(policy, { ...none, issuedLastHourForIp: policy.codesPerIpPerHour }, now),
    );
    expect(err.code).toBe('IP_LIMIT');
  });
});

describe('the day boundary is Beijing midnight', () => {
  it('maps 2026-11-25T08:00Z (16:00 Beijing) to 2026-11-24T16:00Z', () => {
    expect(startOfShanghaiDay(now).toISOString()).toBe('2026-11-24T16:00:00.000Z');
  });
  it('maps 15:59:59Z to the previous Beijing day and 16:00Z to a new one', () => {
    expect(startOfShanghaiDay(new Date('2026-11-25T15:59:59Z')).toISOString()).toBe('2026-11-24T16:00:00.000Z');
    expect(startOfShanghaiDay(new Date('2026-11-25T16:00:00Z')).toISOString()).toBe('2026-11-25T16:00:00.000Z');
  });
});

describe('an attempt at a code', () => {
  const live = { expiresAt: new Date(now.getTime() + 60_000), failedAttempts: 0 };

  it('accepts the right code', () => {
    expect(judgeAttempt(policy, live, true, now)).toEqual({ kind: 'accepted' });
  });

  it('counts wrong tries and burns the code at the fifth', () => {
    const outcomes = [0, 1, 2, 3, 4].map((failed) =>
      judgeAttempt(policy, { ...live, failedAttempts: failed }, false, now),
    );
    expect(outcomes.map((o) => o.kind)).toEqual(['wrong', 'wrong', 'wrong', 'wrong', 'burned']);
    const first = outcomes[0]!;
    if (first.kind === 'accepted') throw new Error('unexpected');
    expect(attemptRefusal(first).message).toBe('验证码错误，还可尝试4次');
    const last = outcomes[4]!;
    if (last.kind === 'accepted') throw new Error('unexpected');
    expect(attemptRefusal(last).message).toBe('验证码错误次数过多，已失效，请重新获取');
  });

  it('refuses an expired code, even the right one, and a missing one alike', () => {
    const expired = { ...live, expiresAt: now };
    expect(refusal(() => judgeAttempt(policy, expired, true, now)).message).toBe('验证码错误或已失效，请重新获取');
    expect(refusal(() => judgeAttempt(policy, undefined, false, now)).message).toBe('验证码错误或已失效，请重新获取');
  });
});
