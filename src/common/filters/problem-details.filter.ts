import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Counter } from 'prom-client';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../../database/database-errors';
import { MetricsService } from '../../metrics/metrics.service';
import { StorageUnavailableError } from '../../storage/storage.errors';
import { AppError, ERROR_STATUS, ErrorCode, FieldError, ServiceUnavailableError, defaultCodeOf } from '../errors';
import { REQUEST_ID_HEADER, requestIdOf } from '../middleware/request-id.middleware';
import { ProblemDetails, instanceOf, recordProblemCode, titleOf } from './problem-details';

type Backend = 'database' | 'storage';

interface Mapped {
  status: number;
  code: string;
  detail: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Set when the error says a backing service is unavailable. */
  backend?: Backend;
}

const INTERNAL: Mapped = { status: 500, code: ErrorCode.INTERNAL_ERROR, detail: 'The server could not complete the request' };

/** The one place where any error becomes an RFC 9457 problem+json response: a lookup and a writer. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');
  private readonly backendErrors: Counter<'backend'>;

  constructor(metrics: MetricsService) {
    this.backendErrors = metrics.counter({
      name: 'backend_unavailable_errors_total',
      help: 'Requests that failed because the database or the storage was unavailable',
      labelNames: ['backend'],
    });
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const mapped = map(exception);
    if (mapped.backend) this.backendErrors.inc({ backend: mapped.backend });
    recordProblemCode(res, mapped.code);
    const requestId = requestIdOf(req, res);
    if (mapped.status >= 500) this.log5xx(exception, req, requestId);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body: ProblemDetails = {
      type: 'about:blank',
      title: titleOf(mapped.status),
      status: mapped.status,
      detail: mapped.detail,
      instance: instanceOf(req.originalUrl ?? req.url),
      code: mapped.code,
      requestId,
      ...(mapped.errors?.length ? { errors: mapped.errors } : {}),
    };
    for (const [name, value] of Object.entries(mapped.headers ?? {})) res.setHeader(name, value);
    // An error raised before the request-id middleware ran (e.g. an undecodable path) still carries the id.
    if (!res.getHeader(REQUEST_ID_HEADER)) res.setHeader(REQUEST_ID_HEADER, body.requestId);
    if (mapped.status === 401 && !res.getHeader('WWW-Authenticate')) res.setHeader('WWW-Authenticate', 'Bearer');
    // A body left unread (an upload cut off, or refused before it was read) is not drained: Node
    // closes the connection once this answer is flushed.
    if (!req.complete) res.setHeader('Connection', 'close');
    res.removeHeader('Content-Disposition');
    res.removeHeader('ETag');
    res.removeHeader('Last-Modified');
    res.status(mapped.status).type('application/problem+json').send(JSON.stringify(body));
  }

  /**
   * A client that went away (an aborted upload) is its own doing: a warning, not a server error.
   * The request id ties the line to its request line (no request context is bound to app lines).
   */
  private log5xx(exception: unknown, req: Request, requestId: string): void {
    if (req.destroyed) this.logger.warn({ requestId, msg: `client gone: ${describe(exception)}` });
    else this.logger.error({ requestId, err: exception instanceof Error ? exception : undefined, msg: describe(exception) });
  }
}

function map(exception: unknown): Mapped {
  if (exception instanceof AppError) return fromAppError(exception);
  if (exception instanceof ThrottlerException) {
    return { status: 429, code: ErrorCode.RATE_LIMITED, detail: 'Too many requests; retry after the time in Retry-After' };
  }
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (isDatabaseUnavailable(exception)) return { ...fromAppError(new ServiceUnavailableError()), backend: 'database' };
  // Node's own 4xx errors (a body stream that failed mid-read, say) keep their status.
  const status = (exception as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: defaultCodeOf(status), detail: 'The request body could not be read' };
  }
  return INTERNAL;
}

function fromAppError(error: AppError): Mapped {
  const backend: Backend | undefined = error instanceof StorageUnavailableError ? 'storage' : undefined;
  return {
    status: ERROR_STATUS[error.code],
    code: error.code,
    detail: error.detail,
    errors: error.errors,
    headers: error.headers,
    backend,
  };
}

/** Nest's own exceptions: unknown routes (404), its built-in pipes, anything a library throws. */
function fromHttpException(exception: HttpException): Mapped {
  const status = exception.getStatus();
  if (status >= 500) return { ...INTERNAL, status, code: defaultCodeOf(status) };
  const code = defaultCodeOf(status);
  if (status === 404) return { status, code, detail: 'No route or resource matches this request' };
  return { status, code, detail: messageOf(exception) };
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

function describe(exception: unknown): string {
  return exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
}
