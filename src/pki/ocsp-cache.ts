/**
 * Signed OCSP responses kept per certificate, so that the responder signs once per serial and
 * validity period instead of once per request. Entries expire at the response's nextUpdate and are
 * dropped when the certificate is revoked (the caller invalidates on revocation).
 *
 * A response embeds the CertID as the client sent it (SHA-1 or SHA-256), so one certificate may
 * have one entry per hash algorithm; invalidation removes all of them.
 */

export interface OcspResponseCache {
  get(issuerKeyHashHex: string, serialHex: string, variant: string, now: Date): Uint8Array | undefined;
  set(issuerKeyHashHex: string, serialHex: string, variant: string, response: Uint8Array, expiresAt: Date): void;
  /** Drops every cached response for this certificate (call on revocation). */
  invalidate(issuerKeyHashHex: string, serialHex: string): void;
  clear(): void;
}

interface Entry {
  response: Uint8Array;
  expiresAt: number;
}

/**
 * An in-process cache bounded to `maxEntries` certificates (oldest inserted dropped first). With
 * several app processes, each keeps its own: revocation must then be broadcast to each of them.
 */
export function memoryOcspCache(options: { maxEntries?: number } = {}): OcspResponseCache {
  const maxEntries = options.maxEntries ?? 100_000;
  // certificate key → (variant → entry); Map keeps insertion order, which gives FIFO eviction.
  const entries = new Map<string, Map<string, Entry>>();
  const certKey = (issuer: string, serial: string) => `${issuer}:${serial}`;
  return {
    get(issuer, serial, variant, now) {
      const entry = entries.get(certKey(issuer, serial))?.get(variant);
      if (!entry) return undefined;
      if (entry.expiresAt <= now.getTime()) {
        entries.get(certKey(issuer, serial))?.delete(variant);
        return undefined;
      }
      return entry.response;
    },
    set(issuer, serial, variant, response, expiresAt) {
      const key = certKey(issuer, serial);
      let variants = entries.get(key);
      if (!variants) {
        if (entries.size >= maxEntries) {
          const oldest = entries.keys().next().value;
          if (oldest !== undefined) entries.delete(oldest);
        }
        variants = new Map();
        entries.set(key, variants);
      }
      variants.set(variant, { response, expiresAt: expiresAt.getTime() });
    },
    invalidate(issuer, serial) {
      entries.delete(certKey(issuer, serial));
    },
    clear() {
      entries.clear();
    },
  };
}
