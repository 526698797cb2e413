import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AppError, ERROR_STATUS } from '../errors';
import { problemOf } from '../filters/problem-details';
import { requestIdOf } from '../middleware/request-id.middleware';

/** Resolves when the request may send its body; rejects with an AppError to refuse it. */
export type ContinueCheck = (req: IncomingMessage) => Promise<void>;

/**
 * Answers `Expect: 100-continue` only once `check` passes, so a client never sends a body that
 * would be refused; a refusal is the usual problem+json with Connection: close. Without a
 * 'checkContinue' listener Node sends 100 Continue to every request, whatever it is.
 */
export function installContinueGate(server: Server, check: ContinueCheck): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    check(req).then(
      () => proceed(server, req, res),
      (error: unknown) => {
        // Anything but a refusal (say, the database is down) is the route's to answer as usual.
        if (error instanceof AppError) refuse(req, res, error);
        else proceed(server, req, res);
      },
    );
  });
}

function proceed(server: Server, req: IncomingMessage, res: ServerResponse): void {
  res.writeContinue();
  server.emit('request', req, res);
}

function refuse(req: IncomingMessage, res: ServerResponse, error: AppError): void {
  const status = ERROR_STATUS[error.code];
  const requestId = requestIdOf(req as never);
  const body = JSON.stringify(problemOf(status, error.code, error.detail, (req.url ?? '/').split('?')[0], requestId));
  res.writeHead(status, {
    ...(status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}),
    ...error.headers,
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    'X-Request-Id': requestId,
    Connection: 'close',
  });
  res.end(body);
}
