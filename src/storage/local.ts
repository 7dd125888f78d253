/**
 * Blobs as files under one directory (by default DATA_DIR/blobs): the demo and single-machine
 * installs. A key is a relative path; `attachments/2026/11/<uuid>.jpg` is stored at exactly that
 * path, so an operator can find and back up files with ordinary tools.
 *
 * The content type lives in a hidden sidecar beside the file, `.<name>.meta.json`, rather than
 * being guessed from the extension, so `get` returns exactly what `put` was given. Keys never
 * start a segment with a dot, so no key can collide with a sidecar or a temporary file. Two puts
 * racing on one key could pair one's bytes with the other's type; callers make a fresh key per file.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { assertValidKey, InvalidBlobKey, type BlobStore } from './blob-store.ts';

const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

export function localBlobRoot(dataDir: string): string {
  return path.join(dataDir, 'blobs');
}

export class LocalBlobStore implements BlobStore {
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    const file = this.pathOf(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Type first: a reader that finds the new data then finds its type, never a stale one.
    await writeAtomically(sidecarOf(file), Buffer.from(JSON.stringify({ contentType })));
    await writeAtomically(file, data);
  }

  async get(key: string): Promise<{ data: Buffer; contentType: string } | undefined> {
    const file = this.pathOf(key);
    let data: Buffer;
    try {
      data = await fs.readFile(file);
    } catch (err) {
      // As in S3, a key that is only a prefix of other keys holds nothing.
      if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR') || isCode(err, 'EISDIR')) return undefined;
      throw err;
    }
    return { data, contentType: await readContentType(sidecarOf(file)) };
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    await fs.rm(file, { force: true });
    await fs.rm(sidecarOf(file), { force: true });
  }

  async ping(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true });
    await fs.access(this.root, constants.R_OK | constants.W_OK);
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    const file = path.join(this.root, ...key.split('/'));
    // The key rules already keep paths inside; this holds even if those rules are loosened.
    if (!file.startsWith(this.root + path.sep)) throw new InvalidBlobKey(key, 'escapes the store');
    return file;
  }
}

function sidecarOf(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.meta.json`);
}

async function readContentType(sidecar: string): Promise<string> {
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(sidecar, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'contentType' in parsed) {
      const { contentType } = parsed;
      if (typeof contentType === 'string' && contentType !== '') return contentType;
    }
    return FALLBACK_CONTENT_TYPE;
  } catch (err) {
    // A file restored without its sidecar is still served, as bytes of unknown type.
    if (isCode(err, 'ENOENT') || err instanceof SyntaxError) return FALLBACK_CONTENT_TYPE;
    throw err;
  }
}

/**
 * Readers see the old file or the new one, never half of one; the fsyncs make a `put` that
 * resolved survive a power cut, since the database will by then point at the file.
 */
async function writeAtomically(file: string, data: Buffer): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx', 0o640);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(path.dirname(file));
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some platforms (Windows) cannot open or sync a directory; the rename stands regardless.
    if (!isCode(err, 'EISDIR') && !isCode(err, 'EPERM') && !isCode(err, 'EINVAL')) throw err;
  } finally {
    await handle?.close();
  }
}

function isCode(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}
