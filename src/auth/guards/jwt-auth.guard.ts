import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { AccessTokenExpiredError, UnauthorizedError } from '../auth.errors';
import { AuthUser } from '../auth-user';
import { AUTH_MODE_KEY, AuthMode } from '../decorators/public.decorator';

/** Global: every route needs a valid bearer token unless marked @Public() or @OptionalAuth(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  canActivate(context: ExecutionContext) {
    const mode = this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE_KEY, [context.getHandler(), context.getClass()]);
    if (mode === 'public') return true;
    if (mode === 'optional' && !context.switchToHttp().getRequest<Request>().headers.authorization) return true;
    return super.canActivate(context);
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
