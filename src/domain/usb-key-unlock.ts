/**
 * 解锁 rules, free of I/O: what a key serial and a challenge must look like, how often a key and a
 * holder may ask (rolling windows over the requests made), and how a serial and an answer are
 * shown. The SMS code's own rules (validity, tries) are the login code's (login-code.ts).
 */
import { AppError } from './errors.ts';

export interface UnlockPolicy {
  /** Requests for one USB key in any hour. */
  perKeyPerHour: number;
  /** Requests by one holder in any 24 hours. */
  perHolderPerDay: number;
}

export const defaultUnlockPolicy: UnlockPolicy = { perKeyPerHour: 5, perHolderPerDay: 10 };

export const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;

export const unlockErrors = {
  serialRequired: () => new AppError('UNLOCK_SERIAL_REQUIRED', '请输入介质序列号'),
  challengeFormat: () => new AppError('UNLOCK_CHALLENGE_FORMAT', '挑战码应为 16 位或 32 位十六进制字符（0–9、A–F），请按 USB Key 管理工具显示的内容输入'),
  notHolderKey: () => new AppError('UNLOCK_NOT_HOLDER_KEY', '该介质不属于您的证书：请核对介质序列号（USB Key 管理工具“设备信息”中显示）', 403),
  notUsbKey: () => new AppError('UNLOCK_NOT_USB_KEY', '该证书是软证书，没有 USB Key 可解锁', 422),
  revoked: () => new AppError('UNLOCK_CERTIFICATE_REVOKED', '该证书已吊销，其 USB Key 不能再解锁', 422),
  unavailable: () => new AppError('UNLOCK_UNAVAILABLE', '解锁服务尚未启用，请联系 CA 客服', 503),
  tooOften: (until: string, retryAfterSeconds: number) =>
    new AppError('UNLOCK_RATE_LIMITED', `操作过于频繁，请于${until}后再试`, 429, { retryAfterSeconds }),
  requestGone: () => new AppError('UNLOCK_REQUEST_NOT_FOUND', '解锁申请不存在或已失效，请重新获取验证码', 404),
};

/** The challenge as the key's tool shows it (spaces, dashes and case tolerated) → its bytes. */
export function parseChallenge(input: string): Uint8Array {
  const hex = input.replace(/[\s-]/g, '');
  if (!/^([0-9a-fA-F]{16}|[0-9a-fA-F]{32})$/.test(hex)) throw unlockErrors.challengeFormat();
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

export interface UnlockHistory {
  /** When this key's requests in the last hour were made. */
  keyRequests: readonly Date[];
  /** When this holder's requests in the last 24 hours were made. */
  holderRequests: readonly Date[];
}

const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;

/** "14:05" today (Beijing time), or "3月2日 14:05" on another day. */
export function shanghaiClock(at: Date, now: Date): string {
  const local = new Date(at.getTime() + SHANGHAI_OFFSET_MS);
  const today = new Date(now.getTime() + SHANGHAI_OFFSET_MS);
  const hm = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  const sameDay = local.toISOString().slice(0, 10) === today.toISOString().slice(0, 10);
  return sameDay ? hm : `${local.getUTCMonth() + 1}月${local.getUTCDate()}日 ${hm}`;
}

/**
 * Throws 操作过于频繁 when another request would pass a limit, naming the minute from which one may
 * ask again (when the oldest request in the full window leaves it); returns otherwise.
 */
export function assertMayRequestUnlock(policy: UnlockPolicy, history: UnlockHistory, now: Date): void {
  const freeAt = (times: readonly Date[], limit: number, windowMs: number): number | undefined => {
    const inWindow = times.map((t) => t.getTime()).filter((t) => t > now.getTime() - windowMs).sort((a, b) => a - b);
    if (inWindow.length < limit) return undefined;
    return inWindow[inWindow.length - limit]! + windowMs;
  };
  const until = Math.max(freeAt(history.keyRequests, policy.perKeyPerHour, HOUR_MS) ?? 0, freeAt(history.holderRequests, policy.perHolderPerDay, DAY_MS) ?? 0);
  if (until === 0) return;
  // Rounded up to the minute shown, so that asking at that minute succeeds.
  const shown = new Date(Math.ceil(until / 60_000) * 60_000);
  throw unlockErrors.tooOften(shanghaiClock(shown, now), Math.ceil((shown.getTime() - now.getTime()) / 1000));
}

/** A key serial for screens and logs: the first 2 and last 4 characters. */
export function maskKeySerial(serial: string): string {
  const s = serial.trim();
  if (s.length <= 6) return `${s.slice(0, 1)}****${s.slice(-1)}`;
  return `${s.slice(0, 2)}****${s.slice(-4)}`;
}

/** An answer for reading aloud or typing: upper-case hex in groups of four. */
export function groupHex(hex: string): string {
  return hex.toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
}
