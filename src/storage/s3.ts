/**
 * Blobs in an S3-compatible bucket (AWS, or the object storage of a Chinese cloud, or MinIO),
 * for installs with more than one machine or with storage kept apart from the application.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { assertValidKey, type BlobStore } from './blob-store.ts';

export interface S3BlobStoreOptions {
  /** Omit for AWS; set for any other S3-compatible service. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** bucket in the path rather than the host name: most self-hosted services need it */
  forcePathStyle?: boolean;
  /** Prepended to every key, e.g. `certdesk` to share a bucket; same rules as keys. */
  prefix?: string;
}

export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(opts: S3BlobStoreOptions) {
    const prefix = opts.prefix?.replace(/\/+$/, '') ?? '';
    if (prefix !== '') assertValidKey(prefix);
    this.prefix = prefix === '' ? '' : `${prefix}/`;
    this.bucket = opts.bucket;
    this.client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      forcePathStyle: opts.forcePathStyle ?? false,
      credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
      // The SDK's newer default CRC32 checksum headers are refused by several S3-compatible
      // services; send and check them only where the API requires it.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Without limits a storage outage hangs uploads and /healthz instead of failing them.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    });
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: data,
        ContentType: contentType,
        ContentLength: data.length,
      }),
    );
  }

  async get(key: string): Promise<{ data: Buffer; contentType: string } | undefined> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      const bytes = res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
      return {
        data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        contentType: res.ContentType ?? 'application/octet-stream',
      };
    } catch (err) {
      if (isMissingObject(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  /** Releases pooled connections; the store is unusable afterwards. */
  close(): void {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    assertValidKey(key);
    return this.prefix + key;
  }
}

/** Some S3-compatible services answer a bare 404 without the NoSuchKey code. */
function isMissingObject(err: unknown): boolean {
  if (err instanceof NoSuchKey) return true;
  return (
    err instanceof S3ServiceException &&
    err.$metadata.httpStatusCode === 404 &&
    err.name !== 'NoSuchBucket'
  );
}
