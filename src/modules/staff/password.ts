/**
 * Staff passwords: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), stored as the PHC
 * string, which carries its own salt and parameters so that they can be raised later.
 */
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// @node-rs/argon2's algorithm enum is a const enum (unusable under isolatedModules); its default is
// argon2id, which `hashPassword`'s test checks in the PHC string.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash lets nobody in.
    return false;
  }
}

/**
 * A hash of nothing anyone knows: verifying against it for an unknown username takes as long as
 * for a real one, so the answer's timing does not tell which usernames exist.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(32).toString('base64url'));
  return decoy;
}
