import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '../errors';
import { problemOf } from '../filters/problem-details';

/** Node's own answers to requests it refuses before Express sees them (its defaults are bare 400/408/431). */
const ANSWERS: Record<string, { status: number; code: ErrorCode; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: ErrorCode.HEADERS_TOO_LARGE, detail: 'The request line and headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: ErrorCode.REQUEST_TIMEOUT, detail: 'The request was not received in time' },
};
const MALFORMED = { status: 400, code: ErrorCode.VALIDATION_FAILED, detail: 'The request is not valid HTTP' };

/**
 * Answers what Node's HTTP parser rejects (oversized headers, timeouts, malformed requests) in
 * the same problem+json format as everything else; the exception filter never sees these.
 */
export function installParserErrorAnswers(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const response = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || response?.headersSent || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    socket.end(rawProblem(ANSWERS[error.code ?? ''] ?? MALFORMED));
  });
}

function rawProblem(answer: { status: number; code: ErrorCode; detail: string }): string {
  const requestId = randomUUID();
  const problem = problemOf(answer.status, answer.code, answer.detail, '/', requestId);
  const body = JSON.stringify(problem);
  return [
    `HTTP/1.1 ${answer.status} ${problem.title}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'X-Content-Type-Options: nosniff',
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
