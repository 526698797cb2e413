import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import type { Env } from '../config/env.validation';
import { ByteRangeStream } from './byte-range-stream';
import { HashingStream } from './hashing-stream';
import { ByteRange, PutOptions, PutResult, StorageDriver, StoredObject, assertSafeKey } from './storage-driver';
import { ObjectNotFoundError, StorageUnavailableError } from './storage.errors';

/** The `S3_*` variables, as the storage config namespace parses them. */
export type S3Options = Env['s3'];

/** Objects in an S3-compatible bucket (AWS, MinIO, s3rver). The only file that knows the AWS SDK. */
export class S3Storage extends StorageDriver {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3Options) {
    super();
    this.bucket = options.bucket;
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials:
        options.accessKeyId && options.secretAccessKey
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
      maxAttempts: 2,
    });
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    assertSafeKey(key);
    const hashing = new HashingStream(options.observe);
    body.once('error', (error) => hashing.destroy(error));
    // Multipart upload in 5 MiB parts, at most two in flight: memory stays bounded per upload.
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body.pipe(hashing) },
      queueSize: 2,
      partSize: 5 * 1024 * 1024,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      await this.delete(key).catch(() => undefined);
      throw translate(error);
    }
    return hashing.result();
  }

  async open(key: string, range?: ByteRange): Promise<Readable> {
    assertSafeKey(key);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      const body = out.Body as Readable;
      if (!range) return body;
      // Some S3-compatible servers answer a range with more than was asked (s3rver: all of it for 0-0).
      const served = /^bytes (\d+)-(\d+)\//.exec(out.ContentRange ?? '');
      const [start, end] = served ? [Number(served[1]), Number(served[2])] : [0, Infinity];
      if (start === range.start && end === range.end) return body;
      return body.pipe(new ByteRangeStream({ start: range.start - start, end: range.end - start }));
    } catch (error) {
      throw isMissing(error) ? new ObjectNotFoundError(key) : translate(error);
    }
  }

  async stat(key: string): Promise<StoredObject | null> {
    assertSafeKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: out.ContentLength ?? 0, modifiedAt: out.LastModified ?? new Date(0) };
    } catch (error) {
      if (isMissing(error)) return null;
      throw translate(error);
    }
  }

  async move(from: string, to: string): Promise<void> {
    assertSafeKey(from);
    assertSafeKey(to);
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: to,
          CopySource: `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
        }),
      );
    } catch (error) {
      throw isMissing(error) ? new ObjectNotFoundError(from) : translate(error);
    }
    await this.delete(from);
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (!isMissing(error)) throw translate(error);
    }
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await this.client
        .send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix || undefined, ContinuationToken: token }))
        .catch((error: unknown) => {
          throw translate(error);
        });
      for (const item of page.Contents ?? []) {
        yield { key: item.Key!, size: item.Size ?? 0, modifiedAt: item.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      throw translate(error);
    }
  }
}

function isMissing(error: unknown): boolean {
  const status = (error as S3ServiceException)?.$metadata?.httpStatusCode;
  const name = (error as Error)?.name;
  return status === 404 || name === 'NoSuchKey' || name === 'NotFound';
}

/** Network failures and server-side errors of the store are a 503; client aborts pass through. */
function translate(error: unknown): unknown {
  if (error instanceof S3ServiceException) return new StorageUnavailableError(error);
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code && /^E(CONNREFUSED|CONNRESET|HOSTUNREACH|TIMEDOUT|NOTFOUND|PIPE)$/.test(code)) return new StorageUnavailableError(error);
  // The SDK's retry layer re-wraps what is not an `instanceof Error` ("AWS SDK error wrapper for
  // Error: connect ECONNREFUSED …"), dropping `code`: only the message still says what happened.
  if (
    /^AWS SDK error wrapper for .*\bE(CONNREFUSED|CONNRESET|HOSTUNREACH|TIMEDOUT|NOTFOUND|PIPE)\b/.test(String((error as Error)?.message))
  ) {
    return new StorageUnavailableError(error);
  }
  if ((error as Error)?.name === 'TimeoutError') return new StorageUnavailableError(error);
  return error;
}
