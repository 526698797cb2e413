import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode, ServiceUnavailableError } from '../../common/errors';
import { AuthUser } from '../auth-user';
import { AuthMode } from '../decorators/public.decorator';
import { JwtAuthGuard } from './jwt-auth.guard';

const user: AuthUser = { id: 'u1', email: 'ada@example.com', role: 'user' };

/** What passport-jwt passes as `info`: jsonwebtoken's errors, told apart by name. */
const jwtError = (name: string, message: string) => Object.assign(new Error(message), { name });

function guardWith(mode?: AuthMode): JwtAuthGuard {
  const reflector = { getAllAndOverride: () => mode } as unknown as Reflector;
  return new JwtAuthGuard(reflector);
}

function contextWith(headers: Record<string, string>): ExecutionContext {
  return {
    getHandler: () => undefined,
    getClass: () => undefined,
    switchToHttp: () => ({ getRequest: () => ({ headers }) }),
  } as unknown as ExecutionContext;
}

function refusal(err: unknown, info: unknown): { code?: string; detail?: string; headers?: Record<string, string> } {
  try {
    guardWith().handleRequest(err, false, info);
  } catch (error) {
    return error as never;
  }
  throw new Error('handleRequest accepted the request');
}

describe('JwtAuthGuard.handleRequest: what passport reports → the error the client sees', () => {
  it('hands the user on when the strategy validated one', () => {
    expect(guardWith().handleRequest(null, user, undefined)).toBe(user);
  });

  it('no token → 401 UNAUTHORIZED asking for one (plain Bearer challenge)', () => {
    expect(refusal(null, new Error('No auth token'))).toMatchObject({
      code: ErrorCode.UNAUTHORIZED,
      detail: 'A bearer token is required',
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  });

  it('an expired token → TOKEN_EXPIRED with an invalid_token challenge', () => {
    const error = refusal(null, jwtError('TokenExpiredError', 'jwt expired'));
    expect(error).toMatchObject({ code: ErrorCode.TOKEN_EXPIRED });
    expect(error.headers?.['WWW-Authenticate']).toMatch(/^Bearer error="invalid_token"/);
  });

  it.each([
    ['a forged signature', jwtError('JsonWebTokenError', 'invalid signature')],
    ['a malformed token', jwtError('JsonWebTokenError', 'jwt malformed')],
    ['no reason given', undefined],
  ])('anything else wrong with the token (%s) → UNAUTHORIZED, invalid', (_reason, info) => {
    expect(refusal(null, info)).toMatchObject({
      code: ErrorCode.UNAUTHORIZED,
      detail: 'The bearer token is invalid',
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    });
  });

  it("keeps an error from the strategy's validate (a database outage stays a 503)", () => {
    const outage = new ServiceUnavailableError();
    expect(refusal(outage, undefined)).toBe(outage);
  });
});

describe('JwtAuthGuard.canActivate: routes that need no token', () => {
  it('@Public() routes pass without looking at the request', () => {
    expect(guardWith('public').canActivate(contextWith({}))).toBe(true);
  });

  it('@OptionalAuth() routes pass without an Authorization header', () => {
    expect(guardWith('optional').canActivate(contextWith({}))).toBe(true);
  });
});
