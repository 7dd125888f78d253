import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.ts';

describe('staff passwords', () => {
  it('are hashed with argon2id at OWASP parameters, salted, and verify', async () => {
    const a = await hashPassword('CertDesk-demo-2026');
    const b = await hashPassword('CertDesk-demo-2026');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, 'CertDesk-demo-2026')).toBe(true);
    expect(await verifyPassword(a, 'CertDesk-demo-2027')).toBe(false);
  });

  it('let nobody in against a malformed stored hash', async () => {
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
  });
});
