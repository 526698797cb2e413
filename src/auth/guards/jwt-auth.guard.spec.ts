import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode, ServiceUnavailableError } from '../../common/errors';
import { AuthUser } from '../auth-user';
import { AuthMode } from '../decorators/public.decorator';
import { AccessTokenVerifier } from '../access-token-verifier';
import { JwtStrategy } from '../jwt.strategy';
import { JwtAuthGuard } from './jwt-auth.guard';

const user: AuthUser = { id: 'u1', email: 'ada@example.com', role: 'user' };

/** What passport-jwt passes as `info`: jsonwebtoken's errors, told apart by name. */
const jwtError = (name: string, message: string) => Object.assign(new Error(message), { name });

/** A guard over a verifier that remembers `remembered` (token → principal) and a strategy whose `current` is `current`. */
function guardWith(
  mode?: AuthMode,
  remembered: Record<string, AuthUser> = {},
  current: (claimed: AuthUser) => Promise<AuthUser> = async (claimed) => claimed,
): JwtAuthGuard {
  const reflector = { getAllAndOverride: () => mode } as unknown as Reflector;
  const tokens = { recall: (token: string) => remembered[token] } as unknown as AccessTokenVerifier;
  const strategy = { current } as unknown as JwtStrategy;
  return new JwtAuthGuard(reflector, tokens, strategy);
}

function contextWith(headers: Record<string, string>, req: { headers?: Record<string, string>; user?: AuthUser } = {}): ExecutionContext {
  req.headers = headers;
  return {
    getHandler: () => undefined,
    getClass: () => undefined,
    switchToHttp: () => ({ getRequest: () => req }),
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

describe('JwtAuthGuard.canActivate: a token this process verified before', () => {
  it("skips passport: the strategy's current account becomes req.user", async () => {
    const current = jest.fn(async () => ({ ...user, role: 'admin' as const }));
    const req: { user?: AuthUser } = {};
    const guard = guardWith(undefined, { 'remembered.token': user }, current);
    await expect(guard.canActivate(contextWith({ authorization: 'Bearer remembered.token' }, req))).resolves.toBe(true);
    expect(current).toHaveBeenCalledWith(user);
    expect(req.user).toEqual({ ...user, role: 'admin' });
  });

  it("refuses with the strategy's error when the account is gone (or the database is down)", async () => {
    const gone = new Error('The account no longer exists');
    const guard = guardWith('optional', { 'remembered.token': user }, () => Promise.reject(gone));
    await expect(guard.canActivate(contextWith({ authorization: 'bearer remembered.token' }))).rejects.toBe(gone);
  });
});
