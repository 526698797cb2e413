import { ArgumentsHost, BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { MetricsService } from '../../metrics/metrics.service';
import { ThrottlerException } from '@nestjs/throttler';
import { AppError, ERROR_STATUS, ErrorCode } from '../errors';
import { ProblemDetailsFilter } from './problem-details.filter';

interface Answer {
  status?: number;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
  destroyed: boolean;
}

/** Runs the filter on a fake request and response and returns what it wrote. */
function answer(exception: unknown, options: { headersSent?: boolean; complete?: boolean } = {}): Answer {
  const written: Answer = { headers: {}, destroyed: false };
  const res = {
    headersSent: options.headersSent ?? false,
    locals: {},
    setHeader: (name: string, value: string) => (written.headers[name.toLowerCase()] = value),
    getHeader: (name: string) => written.headers[name.toLowerCase()],
    removeHeader: (name: string) => delete written.headers[name.toLowerCase()],
    destroy: () => (written.destroyed = true),
    status(code: number) {
      written.status = code;
      return this;
    },
    type(value: string) {
      written.headers['content-type'] = value;
      return this;
    },
    send: (body: string) => (written.body = JSON.parse(body) as Record<string, unknown>),
  };
  const req = { originalUrl: '/images/x?q=1', url: '/images/x?q=1', headers: {}, complete: options.complete ?? true };
  const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost;
  new ProblemDetailsFilter(new MetricsService()).catch(exception, host);
  return written;
}

describe('ProblemDetailsFilter: the mapping table', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it.each(Object.values(ErrorCode))('an AppError with %s answers with its ERROR_STATUS, code and detail', (code) => {
    const written = answer(new AppError(code, `detail of ${code}`));
    expect(written.status).toBe(ERROR_STATUS[code]);
    expect(written.body).toMatchObject({ status: ERROR_STATUS[code], code, detail: `detail of ${code}`, type: 'about:blank' });
    expect(written.headers['content-type']).toBe('application/problem+json');
  });

  it("keeps an AppError's headers and field errors", () => {
    const errors = [{ field: 'email', message: 'email must be an e-mail address' }];
    const written = answer(new AppError(ErrorCode.RATE_LIMITED, 'slow down', { headers: { 'Retry-After': '7' } }));
    expect(written.headers['retry-after']).toBe('7');
    expect(answer(new AppError(ErrorCode.VALIDATION_FAILED, 'bad', { errors })).body).toMatchObject({ errors });
  });

  it('a 401 without a challenge gets WWW-Authenticate: Bearer', () => {
    expect(answer(new AppError(ErrorCode.UNAUTHORIZED, 'who are you')).headers['www-authenticate']).toBe('Bearer');
  });

  it("Nest's 404 (an unknown route) → NOT_FOUND with a fixed detail", () => {
    expect(answer(new NotFoundException('Cannot GET /nope')).body).toMatchObject({
      status: 404,
      code: ErrorCode.NOT_FOUND,
      detail: 'No route or resource matches this request',
    });
  });

  it("Nest's other 4xx keep their status and message, with the status's generic code", () => {
    expect(answer(new BadRequestException(['a is wrong', 'b is wrong'])).body).toMatchObject({
      status: 400,
      code: ErrorCode.VALIDATION_FAILED,
      detail: 'a is wrong; b is wrong',
    });
    expect(answer(new HttpException('Gone fishing', 405)).body).toMatchObject({ status: 405, code: ErrorCode.NOT_FOUND });
  });

  it("the throttler's refusal → 429 RATE_LIMITED", () => {
    expect(answer(new ThrottlerException()).body).toMatchObject({ status: 429, code: ErrorCode.RATE_LIMITED });
  });

  it('a Nest 5xx keeps its status but never its message', () => {
    const body = answer(new HttpException('upstream said: secret', 502)).body;
    expect(body).toMatchObject({ status: 502, detail: 'The server could not complete the request' });
    expect(JSON.stringify(body)).not.toContain('secret');
  });

  it('a lost database connection → 503 SERVICE_UNAVAILABLE', () => {
    const lost = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
    expect(answer(lost).body).toMatchObject({ status: 503, code: ErrorCode.SERVICE_UNAVAILABLE });
  });

  it("Node's own 4xx (a body stream that failed) keeps its status", () => {
    expect(answer(Object.assign(new Error('aborted'), { status: 400 })).body).toMatchObject({
      status: 400,
      code: ErrorCode.VALIDATION_FAILED,
      detail: 'The request body could not be read',
    });
  });

  it('anything else → 500 INTERNAL_ERROR, without its message', () => {
    const body = answer(new TypeError('x is undefined')).body;
    expect(body).toMatchObject({ status: 500, code: ErrorCode.INTERNAL_ERROR, detail: 'The server could not complete the request' });
    expect(JSON.stringify(body)).not.toContain('undefined');
  });

  it('a body left unread closes the connection; a response already started is cut off instead', () => {
    expect(answer(new AppError(ErrorCode.FILE_TOO_LARGE, 'big'), { complete: false }).headers.connection).toBe('close');
    const started = answer(new Error('mid-stream'), { headersSent: true });
    expect(started.destroyed).toBe(true);
    expect(started.body).toBeUndefined();
  });
});
