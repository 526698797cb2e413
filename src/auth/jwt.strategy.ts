import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { createSecretKey } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig } from '../config';
import { ROLES } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { UnauthorizedError } from './auth.errors';
import { AuthUser } from './auth-user';
import { AccessTokenPayload } from './token.service';

/** What jsonwebtoken hands over with `complete: true`: the header too, so `crit` can be checked. */
interface DecodedToken {
  header: Record<string, unknown>;
  payload: Partial<AccessTokenPayload> & { exp?: unknown };
}

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
  async validate({ header, payload }: DecodedToken): Promise<AuthUser> {
    // RFC 7515 §4.1.11: we understand no critical extension, so a token that names one is refused.
    if ('crit' in header) throw invalidToken();
    // A token without `exp` would never expire.
    if (typeof payload.exp !== 'number') throw invalidToken();
    if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || !ROLES.includes(payload.role!)) throw invalidToken();
    // One primary-key lookup: a deleted account's tokens stop at once, and a changed role applies at once.
    const user = await this.users.findById(payload.sub);
    if (!user) throw new UnauthorizedError('The account no longer exists');
    return { id: user.id, email: user.email, role: user.role };
  }
}

function invalidToken(): UnauthorizedError {
  return new UnauthorizedError('The bearer token is invalid');
}
