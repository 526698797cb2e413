import type * as TusServer from '@tus/server';
import type * as TusFileStore from '@tus/file-store';
import type * as TusS3Store from '@tus/s3-store';

/**
 * The tus packages are ES modules only. Node ≥ 20.19 loads them with a plain, synchronous
 * `require`; Node's own one is used because Jest's module registry cannot load ES modules.
 */
const nativeRequire = process.getBuiltinModule('node:module').createRequire(__filename);

export const tus = nativeRequire('@tus/server') as typeof TusServer;

export function loadFileStore(): typeof TusFileStore {
  return nativeRequire('@tus/file-store') as typeof TusFileStore;
}

/** Loaded only when STORAGE_DRIVER=s3. */
export function loadS3Store(): typeof TusS3Store {
  return nativeRequire('@tus/s3-store') as typeof TusS3Store;
}

/** srvx's Node adapter (a dependency of @tus/server): the Web Request the tus server reads. */
export const { NodeRequest } = nativeRequire('srvx/node') as {
  NodeRequest: new (context: { req: import('node:http').IncomingMessage; res: import('node:http').ServerResponse }) => Request;
};

export type TusUpload = TusServer.Upload;
export type TusDataStore = TusServer.DataStore;
export type TusLocker = TusServer.Locker;
export type TusLock = TusServer.Lock;
