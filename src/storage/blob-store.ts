/**
 * Where uploaded files live, behind one small interface: a directory on this machine or an
 * S3-compatible bucket, chosen by configuration (local.ts, s3.ts). Callers make the keys; this
 * module makes sure no key can name anything outside the store.
 */

export interface BlobStore {
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  /** undefined when nothing is stored under `key` */
  get(key: string): Promise<{ data: Buffer; contentType: string } | undefined>;
  /** Deleting a key that holds nothing is not an error. */
  delete(key: string): Promise<void>;
  /** for /healthz: resolves when the store can be written to, throws otherwise */
  ping(): Promise<void>;
}

/** A caller's bug, never the user's: keys come from code, not from requests. */
export class InvalidBlobKey extends Error {
  readonly code = 'BLOB_KEY_INVALID';
  constructor(readonly key: string, reason: string) {
    super(`invalid blob key ${JSON.stringify(key.slice(0, 200))}: ${reason}`);
    this.name = 'InvalidBlobKey';
  }
}

/** S3's own limit on a key's length. */
export const MAX_KEY_LENGTH = 1024;

// A segment may not start with a dot: that rules out "." and "..", hidden files, and the names
// LocalBlobStore gives its temporary files.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/**
 * Keys look like `attachments/2026/11/<uuid>.jpg`: slash-separated segments of
 * [A-Za-z0-9_.-], none empty, none starting with a dot.
 */
export function assertValidKey(key: string): void {
  if (key.length === 0) throw new InvalidBlobKey(key, 'empty');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidBlobKey(key, `longer than ${MAX_KEY_LENGTH}`);
  if (key.startsWith('/')) throw new InvalidBlobKey(key, 'starts with /');
  for (const segment of key.split('/')) {
    if (segment === '') throw new InvalidBlobKey(key, 'empty path segment');
    if (!SEGMENT.test(segment)) {
      throw new InvalidBlobKey(key, 'segments are [A-Za-z0-9_.-] and may not start with a dot');
    }
  }
}
