/**
 * The staff's second factor: RFC 6238 TOTP as every authenticator app speaks it (SHA-1, 6 digits,
 * 30-second steps), through `otpauth`. Verification answers which time steps a code matches,
 * one step either side for clock drift; whether a step may still be accepted is the domain's rule.
 */
import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

export const TOTP_ISSUER = 'CertDesk';
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
const ALGORITHM = 'SHA1';
/** Steps accepted either side of the current one: a phone's clock may be off by up to 30 s. */
const DRIFT_STEPS = 1;

/** A new random secret (160 bits, the size RFC 4226 recommends), in base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** A secret from fixed bytes: the demo accounts' secrets, which must be the same on every start. */
export function totpSecretFromBytes(bytes: Uint8Array): string {
  return new Secret({ buffer: Uint8Array.from(bytes).buffer }).base32;
}

function totp(username: string, secretBase32: string): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label: username,
    algorithm: ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function otpauthUrl(username: string, secretBase32: string): string {
  return totp(username, secretBase32).toString();
}

/** The enrolment QR code as a PNG data: URL, ready for an <img>. */
export function qrDataUrl(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
}

export function timeStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

export function secondsLeftInStep(now: Date): number {
  return TOTP_PERIOD_SECONDS - (Math.floor(now.getTime() / 1000) % TOTP_PERIOD_SECONDS);
}

export function codeAtStep(secretBase32: string, step: number): string {
  return HOTP.generate({ secret: Secret.fromBase32(secretBase32), algorithm: ALGORITHM, digits: TOTP_DIGITS, counter: step });
}

export function currentCode(secretBase32: string, now: Date): string {
  return codeAtStep(secretBase32, timeStep(now));
}

/** Every step within the drift window whose code is `code`, compared in constant time. */
export function matchingSteps(secretBase32: string, code: string, now: Date): number[] {
  if (!/^\d{6}$/.test(code)) return [];
  const current = timeStep(now);
  const given = Buffer.from(code);
  const steps: number[] = [];
  for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
    if (timingSafeEqual(given, Buffer.from(codeAtStep(secretBase32, step)))) steps.push(step);
  }
  return steps;
}
