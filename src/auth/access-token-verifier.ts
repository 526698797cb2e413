import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ROLES } from '../users';
import { AccessTokenExpiredError, UnauthorizedError } from './auth.errors';
import { AuthUser } from './auth-user';
import { AccessTokenPayload } from './token.service';

/** What jsonwebtoken hands over with `complete: true`: the header too, so `crit` can be checked. */
export interface DecodedToken {
  header: Record<string, unknown>;
  payload: Partial<AccessTokenPayload> & { exp?: unknown };
}

/**
 * The principal a token whose signature, issuer, audience and expiry were verified names, or
 * undefined when it fails what jsonwebtoken does not check.
 */
export function principalOf({ header, payload }: DecodedToken): AuthUser | undefined {
  // RFC 7515 §4.1.11: we understand no critical extension, so a token that names one is refused.
  if ('crit' in header) return undefined;
  // A token without `exp` would never expire.
  if (typeof payload.exp !== 'number') return undefined;
  if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || !ROLES.includes(payload.role!)) return undefined;
  return { id: payload.sub, email: payload.email, role: payload.role! };
}

/**
 * The guard's check without passport (same secret, algorithm, issuer, audience and claims), for
 * code that runs before routing: the Expect: 100-continue gate.
 */
@Injectable()
export class AccessTokenVerifier {
  constructor(private readonly jwt: JwtService) {}

  async verify(authorization: string | undefined): Promise<AuthUser> {
    const token = /^bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new UnauthorizedError('A bearer token is required', 'Bearer');
    let decoded: DecodedToken;
    try {
      decoded = await this.jwt.verifyAsync<DecodedToken>(token, { complete: true });
    } catch (error) {
      if ((error as Error).name === 'TokenExpiredError') throw new AccessTokenExpiredError();
      throw new UnauthorizedError('The bearer token is invalid');
    }
    const user = principalOf(decoded);
    if (!user) throw new UnauthorizedError('The bearer token is invalid');
    return user;
  }
}
