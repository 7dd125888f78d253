import { describe, expect, it } from 'vitest';
import { afterFailure, allowedAt, delaySeconds, sourceAddress, throttledError, throttlePolicy, waitSeconds, type Bucket } from './login-throttle.ts';

const at = (s: number) => new Date(Date.UTC(2026, 2, 1, 2, 0, 0) + s * 1000);

describe('login throttle', () => {
  it('lets the free tries through, then doubles the delay up to 15 minutes', () => {
    expect([1, 5, 6, 7, 8, 15, 16, 40].map((n) => delaySeconds(n, 5))).toEqual([0, 0, 1, 2, 4, 512, 900, 900]);
    expect(delaySeconds(20, throttlePolicy.strangerFreeFailures)).toBe(0);
    expect(delaySeconds(21, throttlePolicy.strangerFreeFailures)).toBe(1);
  });

  it('makes each failure past the free tries wait longer before the next attempt', () => {
    let bucket: Bucket | undefined;
    for (let i = 0; i < 5; i++) bucket = afterFailure(bucket, at(0));
    expect(waitSeconds('address', bucket, at(0))).toBe(0);
    bucket = afterFailure(bucket, at(0));
    expect(waitSeconds('address', bucket, at(0))).toBe(1);
    expect(waitSeconds('address', bucket, at(1))).toBe(0);
    bucket = afterFailure(bucket, at(1));
    expect(waitSeconds('address', bucket, at(1))).toBe(2);
    // The strangers' bucket has more free tries: six failures do not slow it yet.
    expect(waitSeconds('stranger', bucket, at(1))).toBe(0);
    expect(allowedAt('address', bucket, at(1))).toEqual(at(3));
  });

  it('forgets a bucket after a quiet day', () => {
    let bucket: Bucket | undefined;
    for (let i = 0; i < 30; i++) bucket = afterFailure(bucket, at(0));
    expect(waitSeconds('device', bucket, at(10))).toBe(890);
    expect(waitSeconds('device', bucket, at(throttlePolicy.windowSeconds))).toBe(0);
    expect(afterFailure(bucket, at(throttlePolicy.windowSeconds)).failures).toBe(1);
  });

  it('keeps IPv6 addresses by their /64 and mapped IPv4 as IPv4', () => {
    expect(sourceAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(sourceAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(sourceAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceAddress('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(sourceAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceAddress('::1')).toBe('0:0:0:0::/64');
  });

  it('says how long to wait', () => {
    expect(throttledError(8).message).toBe('登录失败次数过多，请 8 秒后再试');
    expect(throttledError(900).message).toBe('登录失败次数过多，请 15 分钟后再试');
    expect(throttledError(61).details).toEqual({ retryAfterSeconds: 61 });
    expect(throttledError(61).status).toBe(429);
  });
});
