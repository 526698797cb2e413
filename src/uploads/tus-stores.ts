import type { ConfigType } from '@nestjs/config';
import { storageConfig } from '../storage/config/storage.config';
import { TusDataStore, loadFileStore, loadS3Store } from './tus-library';

/** Where uploads in progress live: the storage's temporary area, on both drivers. */
export const TUS_PREFIX = 'tmp/tus/';

/** The extensions offered (no deferred length: the size and quota are checked before any byte). */
const EXTENSIONS = ['creation', 'creation-with-upload', 'termination', 'expiration'];

export interface TusStore {
  store: TusDataStore;
  /** Every object the store keeps for one upload (the bytes, its metadata, a pending part). */
  keysOf(id: string): string[];
}

/**
 * The tus data store on the same storage as the images: files under `<UPLOAD_DIR>/tmp/tus/`, or
 * a multipart upload in the same bucket under `tmp/tus/`. Upload ids carry the prefix, so both
 * stores put each upload's objects at `tmp/tus/<uuid>…`, keys the StorageDriver can read and move.
 */
export function createTusStore(cfg: ConfigType<typeof storageConfig>, expiryMs: number): TusStore {
  if (cfg.driver === 's3') {
    const { S3Store } = loadS3Store();
    const store = new S3Store({
      // Each 5 MB chunk of a client becomes one part; the last part may be smaller.
      partSize: 5 * 1024 * 1024,
      expirationPeriodInMilliseconds: expiryMs,
      // Expiry is the app's own job (by the database's record), not bucket lifecycle tags.
      useTags: false,
      s3ClientConfig: {
        bucket: cfg.s3.bucket,
        endpoint: cfg.s3.endpoint,
        region: cfg.s3.region,
        forcePathStyle: cfg.s3.forcePathStyle,
        // Parts are streams of unknown length: with the SDK's default (checksums when supported)
        // they go aws-chunked with a trailing checksum, which S3-compatible servers (s3rver, some
        // MinIO and Ceph versions) store verbatim, framing included.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        credentials:
          cfg.s3.accessKeyId && cfg.s3.secretAccessKey
            ? { accessKeyId: cfg.s3.accessKeyId, secretAccessKey: cfg.s3.secretAccessKey }
            : undefined,
      },
    });
    store.extensions = EXTENSIONS;
    return { store, keysOf: (id) => [id, `${id}.info`, `${id}.part`] };
  }
  const { FileStore } = loadFileStore();
  const store = new FileStore({ directory: cfg.uploadDir, expirationPeriodInMilliseconds: expiryMs });
  store.extensions = EXTENSIONS;
  return { store, keysOf: (id) => [id, `${id}.json`] };
}
