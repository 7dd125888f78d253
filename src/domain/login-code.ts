/**
 * The rules of 免密码登录 codes, free of I/O: when a new code may be issued, and what one attempt
 * at entering a code does to it. The service feeds in what the database says and the current time.
 */
import type { AuthPolicy } from '../config.ts';
import { AppError } from './errors.ts';

export const CODE_PATTERN = /^\d{6}$/;

export interface IssueHistory {
  /** When this phone was last sent a code, if ever. */
  lastIssuedAt: Date | null;
  /** Codes sent to this phone since midnight, Beijing time. */
  issuedTodayForPhone: number;
  /** Codes requested from this IP address in the last hour. */
  issuedLastHourForIp: number;
}

/** Throws the refusal a person should see, or returns when a new code may be sent. */
export function assertMayIssueCode(policy: AuthPolicy, history: IssueHistory, now: Date): void {
  if (history.lastIssuedAt) {
    const elapsed = (now.getTime() - history.lastIssuedAt.getTime()) / 1000;
    const wait = Math.ceil(policy.resendCooldownSeconds - elapsed);
    if (wait > 0) {
      throw new AppError('CODE_COOLDOWN', `验证码已发送，请${wait}秒后再获取`, 429, {
        retryAfterSeconds: wait,
      });
    }
  }
  if (history.issuedTodayForPhone >= policy.codesPerPhonePerDay) {
    throw new AppError('PHONE_DAILY_LIMIT', '该手机号今日获取验证码次数已达上限，请明天再试', 429);
  }
  if (history.issuedLastHourForIp >= policy.codesPerIpPerHour) {
    throw new AppError('IP_LIMIT', '当前网络获取验证码过于频繁，请稍后再试', 429);
  }
}

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Midnight in Asia/Shanghai (UTC+8, no daylight saving) at or before `now`, as a UTC instant. */
export function startOfShanghaiDay(now: Date): Date {
  const local = now.getTime() + SHANGHAI_OFFSET_MS;
  const midnightLocal = local - (local % (24 * 60 * 60 * 1000));
  return new Date(midnightLocal - SHANGHAI_OFFSET_MS);
}

export interface IssuedCode {
  expiresAt: Date;
  failedAttempts: number;
}

export type AttemptOutcome =
  | { kind: 'accepted' }
  /** Wrong code, the code still lives: `remaining` tries left. */
  | { kind: 'wrong'; failedAttempts: number; remaining: number }
  /** Wrong code and that was the last try: the code is burned. */
  | { kind: 'burned'; failedAttempts: number };

/**
 * One attempt at the newest live code. `code` is undefined when the phone has no live code
 * (never sent, used, burned or expired): the answer is the same in every case, so that it tells
 * nothing about the phone.
 */
export function judgeAttempt(
  policy: AuthPolicy,
  code: IssuedCode | undefined,
  matches: boolean,
  now: Date,
): AttemptOutcome {
  if (!code || code.expiresAt.getTime() <= now.getTime()) {
    throw new AppError('CODE_INVALID', '验证码错误或已失效，请重新获取');
  }
  if (matches) return { kind: 'accepted' };
  const failedAttempts = code.failedAttempts + 1;
  const remaining = policy.codeMaxFailures - failedAttempts;
  return remaining <= 0 ? { kind: 'burned', failedAttempts } : { kind: 'wrong', failedAttempts, remaining };
}

export function attemptRefusal(outcome: Exclude<AttemptOutcome, { kind: 'accepted' }>): AppError {
  return outcome.kind === 'burned'
    ? new AppError('CODE_BURNED', '验证码错误次数过多，已失效，请重新获取')
    : new AppError('CODE_WRONG', `验证码错误，还可尝试${outcome.remaining}次`, 400, {
        remainingAttempts: outcome.remaining,
      });
}
