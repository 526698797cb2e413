import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { AccessTokenExpiredError, UnauthorizedError } from '../auth.errors';
import { AuthUser } from '../auth-user';
import { AUTH_MODE_KEY, AuthMode } from '../decorators/public.decorator';
import { AccessTokenVerifier, bearerTokenOf } from '../access-token-verifier';
import { JwtStrategy } from '../jwt.strategy';

/**
 * Global: every route needs a valid bearer token unless marked @Public() or @OptionalAuth().
 * passport + passport-jwt verify a token the first time this process sees it (JwtStrategy then
 * remembers it); a remembered token that has not expired skips passport's per-request round
 * (a strategy object and five closures per request, ~8 % of a metadata read's CPU): only its
 * account is looked up, by the strategy's own `current`, so the answer is the same either way.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenVerifier,
    private readonly strategy: JwtStrategy,
  ) {
    super();
  }

  canActivate(context: ExecutionContext) {
    const mode = this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE_KEY, [context.getHandler(), context.getClass()]);
    if (mode === 'public') return true;
    const req = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    if (mode === 'optional' && !req.headers.authorization) return true;
    const token = bearerTokenOf(req.headers.authorization);
    const verified = token === undefined ? undefined : this.tokens.recall(token);
    if (!verified) return super.canActivate(context);
    return this.strategy.current(verified).then((user) => {
      req.user = user;
      return true;
    });
  }

  handleRequest<T = AuthUser>(err: unknown, user: T | false, info: unknown): T {
    if (user && !err) return user;
    // Errors from validate (and a database outage there) keep their own meaning.
    if (err) throw err;
    const name = (info as Error | undefined)?.name;
    if (name === 'TokenExpiredError') {
      throw new AccessTokenExpiredError();
    }
    const missing = (info as Error | undefined)?.message === 'No auth token';
    if (missing) throw new UnauthorizedError('A bearer token is required', 'Bearer');
    throw new UnauthorizedError('The bearer token is invalid');
  }
}
