import type * as TusServer from '@tus/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable, finished } from 'node:stream';
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

type NodeContext = { req: IncomingMessage; res: ServerResponse };

/** srvx's Node adapter (a dependency of @tus/server): the Web Request the tus server reads. */
const { NodeRequest: SrvxNodeRequest } = nativeRequire('srvx/node') as { NodeRequest: new (context: NodeContext) => Omit<Request, 'body'> };

/**
 * srvx's request, with a body that hands the socket's chunks on as they are. srvx makes its body
 * with `Readable.toWeb`, which copies every chunk into a new array (to detach it from Buffer's
 * pool) before @tus/server turns it back into a Node stream: a second copy of every uploaded byte,
 * and garbage for the collector. The chunks of an HTTP body are never pooled, so none is needed.
 */
export class NodeRequest extends SrvxNodeRequest {
  readonly #req: IncomingMessage;
  #body?: ReadableStream<Uint8Array> | null;

  constructor(context: NodeContext) {
    super(context);
    this.#req = context.req;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#body === undefined) {
      const method = this.#req.method;
      this.#body = method === 'GET' || method === 'HEAD' ? null : webStreamOf(this.#req);
    }
    return this.#body;
  }
}

/** A Web stream of a Node one, chunk by chunk with backpressure, ending (or failing) as `Readable.toWeb` does. */
export function webStreamOf(source: Readable): ReadableStream<Uint8Array> {
  let settled = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        source.on('data', (chunk: Buffer) => {
          if (settled) return;
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        const cleanup = finished(source, (error) => {
          cleanup();
          // A legacy stream may emit 'error' again after finished() reported.
          source.on('error', () => undefined);
          if (settled) return;
          settled = true;
          if (!error) return controller.close();
          controller.error(isPrematureClose(error) ? new AbortError(undefined, { cause: error }) : error);
        });
        source.pause();
      },
      pull() {
        source.resume();
      },
      cancel(reason) {
        settled = true;
        source.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 1 },
  );
}

function isPrematureClose(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/** The error Node's own adapter reports for a body cut short (the client went away). */
class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: ErrorOptions) {
    super(message, options);
    this.name = 'AbortError';
  }
}

export type TusUpload = TusServer.Upload;
export type TusDataStore = TusServer.DataStore;
export type TusLocker = TusServer.Locker;
export type TusLock = TusServer.Lock;
