/**
 * A platform's API key: an id and a secret, the secret shown once. "Stored hashed" and "used for
 * HMAC" pull apart — checking an HMAC needs the secret itself on the server, so a one-way hash
 * alone (as for a password) cannot work. We resolve it as HSM-backed CAs and cloud KMSs do for
 * symmetric API keys: the secret is not stored at all but derived when needed,
 *
 *   secret = "cdsk_" + base64url(HMAC-SHA256(platformKeyRoot, keyId ‖ 0x00 ‖ salt))
 *
 * where platformKeyRoot is derived from the server's master secret (security/keys.ts) and never
 * leaves the process. The row keeps the key id, the random salt and SHA-256(secret): a copied
 * database yields no secret (it is as good as a hash there), the hash lets the console show a
 * fingerprint the platform can compare with its copy, and a secret re-derived under a different
 * master secret (a misconfigured instance) is caught instead of silently refusing every request.
 * The price: changing CERTDESK_SECRET invalidates every platform's key, as it does the staff's
 * second factors — the run book's rotation issues new keys.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { sha256Hex } from '../../domain/platform-signature.ts';

export interface NewKeyMaterial {
  keyId: string;
  salt: string;
  secret: string;
  secretSha256: string;
}

export function deriveSecret(root: Buffer, keyId: string, salt: string): string {
  return `cdsk_${createHmac('sha256', root).update(keyId).update('\0').update(salt).digest('base64url')}`;
}

export function newKeyMaterial(root: Buffer): NewKeyMaterial {
  const keyId = `cdk_${randomBytes(8).toString('hex')}`;
  const salt = randomBytes(16).toString('base64url');
  const secret = deriveSecret(root, keyId, salt);
  return { keyId, salt, secret, secretSha256: sha256Hex(secret) };
}

/** The secret of a stored key, or undefined when this server's key does not make the one issued. */
export function secretOf(root: Buffer, row: { keyId: string; salt: string; secretSha256: string }): string | undefined {
  const secret = deriveSecret(root, row.keyId, row.salt);
  return sha256Hex(secret) === row.secretSha256 ? secret : undefined;
}

/** What the console shows of a secret: the first 16 hex digits of its SHA-256. */
export function fingerprint(secretSha256: string): string {
  return secretSha256.slice(0, 16).replace(/(.{4})(?=.)/g, '$1 ');
}
