import { unlink } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { addMultipartListAndAbort } from './s3rver-multipart';
// s3rver ships no types; it speaks the S3 REST protocol to the real AWS SDK on loopback.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');

export interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}

interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  deleteObject(bucket: string, key: string): Promise<void>;
}

/** An s3rver on 127.0.0.1 over `directory` with one bucket, patched where it falls short of S3. */
export function newS3rver(directory: string, bucket: string, port = 0): S3rverInstance {
  const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: [{ name: bucket }] });
  addMultipartListAndAbort(server);
  keepFolders(server.store as FilesystemStore);
  return server as S3rverInstance;
}

/**
 * s3rver 3.7 stores `tmp/x` as the file `<bucket>/tmp/x._S3rver_object`, and its DeleteObject
 * removes the folder once it looks empty. A PutObject to `tmp/y` that has made the folder but not
 * yet opened its file then fails on an unlistened write stream: an uncaught ENOENT that kills the
 * test process (seen in CI's upload fuzz, where most uploads are rejected and their `tmp/` objects
 * deleted while others are being written). S3 has no folders; deleting only the object's own files
 * is what it does.
 */
function keepFolders(store: FilesystemStore): void {
  store.deleteObject = async (bucket, key) => {
    const files = ['object', 'object.md5', 'metadata.json'].map((resource) => store.getResourcePath(bucket, key, resource));
    await Promise.all(files.map((file) => unlink(file).catch((error: NodeJS.ErrnoException) => ignoreMissing(error))));
  };
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
