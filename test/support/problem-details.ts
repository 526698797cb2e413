import type { Response } from 'supertest';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): boolean {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * Asserts an RFC 9457 problem response with the given status and code, in the contract's shape:
 * problem+json, the standard fields, the request id repeated from the header, nothing internal.
 */
export function expectProblem(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: 'about:blank', status, code });
  expect(typeof res.body.title).toBe('string');
  expect(typeof res.body.detail).toBe('string');
  expect(typeof res.body.instance).toBe('string');
  expect(res.body.requestId).toBe(res.headers['x-request-id']);
  expectNoInternals(res.text);
  if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer\b/);
}

/** No stack trace, file-system path, SQL or library name in a body meant for a client. */
export function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\bat .+\(.*:\d+:\d+\)|\n\s+at /);
  expect(text).not.toMatch(/\/(work|home|tmp|usr|var|root)\//);
  expect(text).not.toMatch(/node_modules|\.ts:\d+|\.js:\d+/);
  expect(text).not.toMatch(/\b(SELECT|INSERT INTO|UPDATE .+ SET|SQLITE_|ER_[A-Z_]+)\b/);
  expect(text).not.toMatch(/QueryFailedError|TypeORM|SyntaxError|TypeError|ReferenceError/);
}
