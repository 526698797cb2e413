import type { IncomingMessage, ServerResponse } from 'node:http';

/** nginx's status for a client that closed the connection before its request was complete. */
export const CLIENT_CLOSED_STATUS = 499;

/** The client went away mid-request (an aborted upload): its body never arrived in full and no answer was finished. */
export function clientClosed(req: IncomingMessage, res: ServerResponse): boolean {
  return !req.complete && !res.writableFinished;
}

/** pino-http's level per request: a client that went away is not our error. */
export function requestLogLevel(req: IncomingMessage, res: ServerResponse, err?: Error): 'info' | 'warn' | 'error' {
  if (clientClosed(req, res)) return 'warn';
  if (err || res.statusCode >= 500) return 'error';
  return res.statusCode >= 400 ? 'warn' : 'info';
}

interface SerializedResponse {
  statusCode: number | null;
  raw: ServerResponse;
}

/** pino-http's response serializer: an aborted request is logged as 499 (nothing was sent, the status would be null). */
export function serializeResponse(res: SerializedResponse): SerializedResponse {
  if (clientClosed(res.raw.req, res.raw)) res.statusCode = CLIENT_CLOSED_STATUS;
  return res;
}
