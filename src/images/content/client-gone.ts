import type { Response } from 'express';

/**
 * A signal that aborts when the client leaves before its response is finished, made on first use:
 * only a request for a variant asks for it (a variant may wait for an image-work slot, and a client
 * that leaves takes its waiting job with it). A download of the original or a 304 then costs no
 * AbortController and no 'close' listener.
 */
export function clientGone(res: Response): () => AbortSignal {
  let controller: AbortController | undefined;
  return () => {
    if (controller) return controller.signal;
    const made = (controller = new AbortController());
    if (!res.closed) res.once('close', () => res.writableFinished || made.abort());
    else if (!res.writableFinished) made.abort();
    return made.signal;
  };
}
