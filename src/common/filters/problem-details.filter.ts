import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, ServiceUnavailableException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { AppException, ErrorCode } from '../errors';
import { REQUEST_ID_HEADER, requestIdOf } from '../middleware/request-id.middleware';
import { ProblemDetails, titleOf } from './problem-details';

const DEFAULT_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.VALIDATION_FAILED,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.NOT_FOUND,
  408: ErrorCode.REQUEST_TIMEOUT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  416: ErrorCode.RANGE_NOT_SATISFIABLE,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

/** Error codes of drivers that mean "the database is not reachable", not "the query is wrong". */
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'ENOSPC',
]);

interface Mapped {
  status: number;
  code: string;
  detail: string;
  errors?: AppException['errors'];
  headers?: Record<string, string>;
}

/** The one place where any error becomes an RFC 9457 problem+json response. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const mapped = this.map(exception);
    if (mapped.status >= 500) this.logger.error(describe(exception), (exception as Error)?.stack);
    if (isHealthReport(exception)) {
      // GET /health answers 503 in the @nestjs/terminus shape that monitors expect.
      res.status(503).json(exception.getResponse());
      return;
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body: ProblemDetails = {
      type: 'about:blank',
      title: titleOf(mapped.status),
      status: mapped.status,
      detail: mapped.detail,
      instance: (req.originalUrl ?? req.url ?? '/').split('?')[0],
      code: mapped.code,
      requestId: requestIdOf(req, res),
      ...(mapped.errors?.length ? { errors: mapped.errors } : {}),
    };
    for (const [name, value] of Object.entries(mapped.headers ?? {})) res.setHeader(name, value);
    // An error raised before the request-id middleware ran (e.g. an undecodable path) still carries the id.
    if (!res.getHeader(REQUEST_ID_HEADER)) res.setHeader(REQUEST_ID_HEADER, body.requestId);
    if (mapped.status === 401 && !res.getHeader('WWW-Authenticate')) res.setHeader('WWW-Authenticate', 'Bearer');
    res.removeHeader('Content-Disposition');
    res.removeHeader('ETag');
    res.removeHeader('Last-Modified');
    res.status(mapped.status).type('application/problem+json').send(JSON.stringify(body));
  }

  private map(exception: unknown): Mapped {
    if (exception instanceof AppException) {
      return {
        status: exception.getStatus(),
        code: exception.code,
        detail: exception.detail,
        errors: exception.errors,
        headers: exception.headers,
      };
    }
    if (exception instanceof ThrottlerException) {
      return { status: 429, code: ErrorCode.RATE_LIMITED, detail: 'Too many requests; retry after the time in Retry-After' };
    }
    if (exception instanceof HttpException) return this.mapHttp(exception);
    return this.mapForeign(exception);
  }

  private mapHttp(exception: HttpException): Mapped {
    const status = exception.getStatus();
    const code = DEFAULT_CODES[status] ?? (status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.VALIDATION_FAILED);
    if (status === 404) return { status, code, detail: 'No route or resource matches this request' };
    if (status >= 500) return { status, code, detail: 'The server could not complete the request' };
    return { status, code, detail: messageOf(exception) };
  }

  /** Errors that did not come from our code or Nest: body parsers, database drivers, the runtime. */
  private mapForeign(exception: unknown): Mapped {
    const err = (exception ?? {}) as { type?: string; status?: number; code?: string; errno?: string };
    if (err.type === 'entity.parse.failed') {
      return { status: 400, code: ErrorCode.MALFORMED_JSON, detail: 'The request body is not valid JSON' };
    }
    if (err.type === 'entity.too.large') {
      return { status: 413, code: ErrorCode.PAYLOAD_TOO_LARGE, detail: 'The JSON body is larger than 100 KB' };
    }
    if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
      return { status: err.status, code: DEFAULT_CODES[err.status] ?? ErrorCode.VALIDATION_FAILED, detail: 'The request body could not be read' };
    }
    if (isUnavailable(exception)) {
      return { status: 503, code: ErrorCode.SERVICE_UNAVAILABLE, detail: 'A backing service is unavailable; try again shortly', headers: { 'Retry-After': '5' } };
    }
    return { status: 500, code: ErrorCode.INTERNAL_ERROR, detail: 'The server could not complete the request' };
  }
}

function isHealthReport(exception: unknown): exception is HttpException {
  if (!(exception instanceof ServiceUnavailableException)) return false;
  const body = exception.getResponse() as { status?: unknown; details?: unknown };
  return body.status === 'error' && typeof body.details === 'object';
}

function isUnavailable(exception: unknown): boolean {
  for (let e = exception as { code?: unknown; driverError?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && UNAVAILABLE_ERRNOS.has(e.code)) return true;
    if (/ConnectionNotFound|CannotExecuteNotConnected|is not established|Pool is closed|connection is in closed state|SQLITE_MISUSE/i.test(String((e as Error).message ?? ''))) return true;
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return false;
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

