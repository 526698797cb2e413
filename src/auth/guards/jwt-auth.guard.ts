import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { UsersService } from '../../users/users.service';
import { AccessTokenVerifier, bearerTokenOf } from '../access-token-verifier';
import { UnauthorizedError } from '../auth.errors';
import { AuthUser } from '../auth-user';
import { AUTH_MODE_KEY, AuthMode } from '../decorators/public.decorator';

/**
 * Global: every route needs a valid bearer token unless marked @Public() or @OptionalAuth().
 * Verifies the token itself (what passport + passport-jwt did, at a fraction of the per-request
 * cost), then checks the account still exists: a deleted account's tokens stop, a changed role applies.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenVerifier,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const mode = this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE_KEY, [context.getHandler(), context.getClass()]);
    if (mode === 'public') return true;
    const req = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    if (mode === 'optional' && !req.headers.authorization) return true;
    const token = bearerTokenOf(req.headers.authorization);
    if (!token) throw new UnauthorizedError('A bearer token is required', 'Bearer');
    const claimed = this.tokens.principalOf(token);
    // At most USER_LOOKUP_TTL_MS old: see UsersService.findCurrent.
    const user = await this.users.findCurrent(claimed.id);
    if (!user) throw new UnauthorizedError('The account no longer exists');
    req.user = { id: user.id, email: user.email, role: user.role };
    return true;
  }
}
