import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { createSecretKey } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig } from './config/auth.config';
import { UsersService } from '../users';
import { UnauthorizedError } from './auth.errors';
import { DecodedToken, principalOf } from './access-token-verifier';
import { AuthUser } from './auth-user';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    @Inject(authConfig.KEY) cfg: ConfigType<typeof authConfig>,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, made once: given a string, jsonwebtoken tries createPublicKey() on it and throws
      // and catches on every request (a third of an authenticated GET's CPU in `npm run bench`).
      secretOrKey: createSecretKey(Buffer.from(cfg.jwtSecret)) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: cfg.issuer,
      audience: cfg.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { complete: true },
    });
  }

  /** Signature, issuer, audience and expiry are already checked; this checks what jsonwebtoken does not. */
  async validate(decoded: DecodedToken): Promise<AuthUser> {
    const claimed = principalOf(decoded);
    if (!claimed) throw new UnauthorizedError('The bearer token is invalid');
    // A deleted account's tokens stop, and a changed role applies: at once on this instance, within USER_LOOKUP_TTL_MS on others.
    const user = await this.users.findCurrent(claimed.id);
    if (!user) throw new UnauthorizedError('The account no longer exists');
    return { id: user.id, email: user.email, role: user.role };
  }
}
