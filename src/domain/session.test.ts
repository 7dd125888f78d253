import { describe, expect, it } from 'vitest';
import { defaultAuthPolicy as policy } from '../config.ts';
import { isSessionLive, sessionExpiresAt } from './session.ts';

const t0 = new Date('2026-11-25T00:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

describe('session lifetime', () => {
  it('ends 30 minutes after the last request', () => {
    const s = { createdAt: t0, lastSeenAt: at(10) };
    expect(isSessionLive(policy, s, at(39))).toBe(true);
    expect(isSessionLive(policy, s, at(40))).toBe(false);
  });

  it('ends 12 hours after login however active it is', () => {
    const s = { createdAt: t0, lastSeenAt: at(12 * 60 - 5) };
    expect(sessionExpiresAt(policy, s).toISOString()).toBe(at(12 * 60).toISOString());
    expect(isSessionLive(policy, s, at(12 * 60))).toBe(false);
  });
});
