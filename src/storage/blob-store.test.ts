import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidBlobKey, type BlobStore } from './blob-store.ts';
import { LocalBlobStore } from './local.ts';
import { S3BlobStore } from './s3.ts';

// One contract, every implementation: code above the store must not notice which one it has.
function blobStoreContract(name: string, open: () => Promise<{ store: BlobStore; close: () => Promise<void> }>) {
  describe(`${name} keeps the BlobStore contract`, () => {
    let store: BlobStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(async () => {
      await close();
    });

    it('returns the exact bytes and content type that were put', async () => {
      const data = randomBytes(256 * 1024);
      data[0] = 0x00; // bytes that break any text handling on the way
      data[1] = 0xff;
      await store.put('attachments/2026/11/scan-1.jpg', data, 'image/jpeg');
      const got = await store.get('attachments/2026/11/scan-1.jpg');
      expect(got?.contentType).toBe('image/jpeg');
      expect(got?.data.equals(data)).toBe(true);
    });

    it('keeps an empty blob', async () => {
      await store.put('empty.bin', Buffer.alloc(0), 'application/octet-stream');
      expect((await store.get('empty.bin'))?.data.length).toBe(0);
    });

    it('overwrites: the second put wins, content type included', async () => {
      await store.put('contracts/c-1.pdf', Buffer.from('first version'), 'application/octet-stream');
      await store.put('contracts/c-1.pdf', Buffer.from('second'), 'application/pdf');
      const got = await store.get('contracts/c-1.pdf');
      expect(got?.data.toString()).toBe('second');
      expect(got?.contentType).toBe('application/pdf');
    });

    it('answers undefined for a key that holds nothing', async () => {
      expect(await store.get('attachments/never/put.png')).toBeUndefined();
      await store.put('prefix-only/child.txt', Buffer.from('x'), 'text/plain');
      expect(await store.get('prefix-only')).toBeUndefined();
    });

    it('deletes, and deleting again is no error', async () => {
      await store.put('tmp/gone.bmp', Buffer.from('BM'), 'image/bmp');
      await store.delete('tmp/gone.bmp');
      expect(await store.get('tmp/gone.bmp')).toBeUndefined();
      await expect(store.delete('tmp/gone.bmp')).resolves.toBeUndefined();
    });

    it.each([
      '',
      '/etc/passwd',
      '../outside.txt',
      'attachments/../../outside.txt',
      'attachments/./x.jpg',
      'a//b.jpg',
      'trailing/',
      '.hidden',
      'attachments/.x.jpg.meta.json',
      'back\\slash.jpg',
      'space here.jpg',
      '证件.jpg',
      'nul\u0000.jpg',
      `${'a'.repeat(1025)}`,
    ])('refuses the key %j for every operation', async (key) => {
      await expect(store.put(key, Buffer.from('x'), 'text/plain')).rejects.toBeInstanceOf(InvalidBlobKey);
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidBlobKey);
      await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidBlobKey);
    });

    it('answers a ping when it can be used', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

blobStoreContract('LocalBlobStore', async () => {
  const dir = await tempDir('certdesk-blobs-');
  return {
    store: new LocalBlobStore(path.join(dir, 'blobs')),
    close: () => fs.rm(dir, { recursive: true, force: true }),
  };
});

const BUCKET = 'certdesk-test';

async function startS3rver(): Promise<{ server: S3rver; endpoint: string; dir: string }> {
  const dir = await tempDir('certdesk-s3rver-');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await server.run();
  return { server, endpoint: `http://127.0.0.1:${port}`, dir };
}

function s3Store(endpoint: string, extra: { bucket?: string; prefix?: string } = {}): S3BlobStore {
  return new S3BlobStore({
    endpoint,
    region: 'us-east-1',
    bucket: extra.bucket ?? BUCKET,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
    ...(extra.prefix ? { prefix: extra.prefix } : {}),
  });
}

blobStoreContract('S3BlobStore (s3rver)', async () => {
  const { server, endpoint, dir } = await startS3rver();
  const store = s3Store(endpoint, { prefix: 'certdesk' });
  return {
    store,
    close: async () => {
      store.close();
      await server.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
});

describe('LocalBlobStore on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('certdesk-blobs-');
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('stores a key at that relative path, its type in a hidden sidecar, and no temporary files', async () => {
    const store = new LocalBlobStore(dir);
    await store.put('attachments/2026/11/a.png', Buffer.from('png'), 'image/png');
    const folder = path.join(dir, 'attachments', '2026', '11');
    expect((await fs.readdir(folder)).sort()).toEqual(['.a.png.meta.json', 'a.png']);
    expect(await fs.readFile(path.join(folder, 'a.png'), 'utf8')).toBe('png');
    await store.delete('attachments/2026/11/a.png');
    expect(await fs.readdir(folder)).toEqual([]);
  });

  it('serves a file restored without its sidecar as application/octet-stream', async () => {
    const store = new LocalBlobStore(dir);
    await fs.mkdir(path.join(dir, 'restored'), { recursive: true });
    await fs.writeFile(path.join(dir, 'restored', 'x.jpg'), 'bytes');
    expect(await store.get('restored/x.jpg')).toEqual({
      data: Buffer.from('bytes'),
      contentType: 'application/octet-stream',
    });
  });

  it('fails its ping when the directory cannot be made', async () => {
    const blocker = path.join(dir, 'a-file');
    await fs.writeFile(blocker, '');
    await expect(new LocalBlobStore(path.join(blocker, 'blobs')).ping()).rejects.toThrow();
  });
});

describe('S3BlobStore with a prefix', () => {
  it('keeps its objects under the prefix, so two installs can share a bucket', async () => {
    const { server, endpoint, dir } = await startS3rver();
    const prefixed = s3Store(endpoint, { prefix: 'certdesk/' });
    const whole = s3Store(endpoint);
    try {
      await prefixed.put('attachments/a.jpg', Buffer.from('jpeg'), 'image/jpeg');
      expect((await whole.get('certdesk/attachments/a.jpg'))?.data.toString()).toBe('jpeg');
      expect(await whole.get('attachments/a.jpg')).toBeUndefined();
      expect(() => s3Store(endpoint, { prefix: '../other' })).toThrow(InvalidBlobKey);
    } finally {
      prefixed.close();
      whole.close();
      await server.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('S3BlobStore against a bucket that is not there', () => {
  it('fails its ping, and get does not mistake the missing bucket for a missing object', async () => {
    const { server, endpoint, dir } = await startS3rver();
    const store = s3Store(endpoint, { bucket: 'no-such-bucket' });
    try {
      await expect(store.ping()).rejects.toThrow();
      await expect(store.get('attachments/x.jpg')).rejects.toThrow();
    } finally {
      store.close();
      await server.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
