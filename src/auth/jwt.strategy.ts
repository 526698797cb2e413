import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { createSecretKey } from 'node:crypto';
import { Strategy } from 'passport-jwt';
import { authConfig } from './config/auth.config';
import { UsersService } from '../users';
import { UnauthorizedError } from './auth.errors';
import { AccessTokenVerifier, bearerTokenOf, DecodedToken, principalOf } from './access-token-verifier';
import { AuthUser } from './auth-user';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    @Inject(authConfig.KEY) cfg: ConfigType<typeof authConfig>,
    private readonly users: UsersService,
    private readonly tokens: AccessTokenVerifier,
  ) {
    super({
      // The one reading of the header: the token verified here is the one remembered and recalled below.
      jwtFromRequest: (req: Request) => bearerTokenOf(req.headers.authorization) ?? null,
      // A KeyObject, made once: given a string, jsonwebtoken tries createPublicKey() on it and throws
      // and catches on every request (a third of an authenticated GET's CPU in `npm run bench`).
      secretOrKey: createSecretKey(Buffer.from(cfg.jwtSecret)) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: cfg.issuer,
      audience: cfg.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { complete: true },
      passReqToCallback: true,
    });
  }

  /**
   * Signature, issuer, audience and expiry are already checked; this checks what jsonwebtoken does
   * not, and remembers the token: JwtAuthGuard answers its next uses from `current` alone.
   */
  async validate(req: Request, decoded: DecodedToken): Promise<AuthUser> {
    const claimed = principalOf(decoded);
    if (!claimed) throw new UnauthorizedError('The bearer token is invalid');
    this.tokens.remember(bearerTokenOf(req.headers.authorization)!, claimed, decoded.payload.exp as number);
    return this.current(claimed);
  }

  /** A deleted account's tokens stop, and a changed role applies: at once on this instance, within USER_LOOKUP_TTL_MS on others. */
  async current(claimed: AuthUser): Promise<AuthUser> {
    const user = await this.users.findCurrent(claimed.id);
    if (!user) throw new UnauthorizedError('The account no longer exists');
    return { id: user.id, email: user.email, role: user.role };
  }
}
