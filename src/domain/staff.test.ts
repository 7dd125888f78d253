import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { acceptTotpStep, assertPasswordPolicy, assertUsername, knownRoles, normaliseUsername, parseStaffRole } from './staff.ts';

function refusal(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.message;
    throw err;
  }
  return 'accepted';
}

describe('staff password policy', () => {
  it('wants at least ten characters with letters and digits', () => {
    expect(refusal(() => assertPasswordPolicy('Abcdef123'))).toBe('密码至少10位，且须同时包含字母和数字');
    expect(refusal(() => assertPasswordPolicy('abcdefghijk'))).toBe('密码至少10位，且须同时包含字母和数字');
    expect(refusal(() => assertPasswordPolicy('12345678901'))).toBe('密码至少10位，且须同时包含字母和数字');
    expect(refusal(() => assertPasswordPolicy('abcdefghi1'))).toBe('accepted');
    expect(refusal(() => assertPasswordPolicy('CertDesk-demo-2026'))).toBe('accepted');
  });

  it('refuses a password so long that hashing it would be a burden', () => {
    expect(refusal(() => assertPasswordPolicy(`a1${'x'.repeat(127)}`))).toBe('密码不能超过128个字符');
  });
});

describe('staff usernames', () => {
  it('are compared in lower case and start with a letter', () => {
    expect(normaliseUsername('  Li.Ming ')).toBe('li.ming');
    expect(refusal(() => assertUsername('li.ming'))).toBe('accepted');
    expect(refusal(() => assertUsername('1abc'))).toMatch(/^用户名须为3至32位/);
    expect(refusal(() => assertUsername('ab'))).toMatch(/^用户名须为3至32位/);
    expect(refusal(() => assertUsername('张三'))).toMatch(/^用户名须为3至32位/);
  });
});

describe('staff roles', () => {
  it('are named by their Chinese label or their English key', () => {
    expect(parseStaffRole('管理员')).toBe('admin');
    expect(parseStaffRole('审核员')).toBe('reviewer');
    expect(parseStaffRole('财务')).toBe('finance');
    expect(parseStaffRole('制证员')).toBe('producer');
    expect(parseStaffRole('Producer')).toBe('producer');
    expect(parseStaffRole('老板')).toBeUndefined();
  });

  it('ignore what the database holds that is no role, and keep one canonical order', () => {
    expect(knownRoles(['admin', 'root', 'reviewer', 'admin'])).toEqual(['reviewer', 'admin']);
  });
});

describe('TOTP replay', () => {
  it('accepts a matching step only after the last accepted one', () => {
    expect(acceptTotpStep([], undefined)).toEqual({ ok: false, reason: 'wrong' });
    expect(acceptTotpStep([100], undefined)).toEqual({ ok: true, step: 100 });
    expect(acceptTotpStep([100], 99)).toEqual({ ok: true, step: 100 });
    expect(acceptTotpStep([100], 100)).toEqual({ ok: false, reason: 'reused' });
    // An older code seen after a newer one was used is refused as well.
    expect(acceptTotpStep([99], 100)).toEqual({ ok: false, reason: 'reused' });
    expect(acceptTotpStep([100, 101], 100)).toEqual({ ok: true, step: 101 });
  });
});
