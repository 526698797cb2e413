import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ROLES } from '../users/user.entity';
import { AccessTokenExpiredError, UnauthorizedError } from './auth.errors';
import { AuthUser } from './auth-user';
import { AccessTokenPayload } from './token.service';

/** The principal a verified access token names, or undefined when its claims are not a user's. */
export function principalOf(payload: Partial<AccessTokenPayload>): AuthUser | undefined {
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
    let payload: Partial<AccessTokenPayload>;
    try {
      payload = await this.jwt.verifyAsync<AccessTokenPayload>(token);
    } catch (error) {
      if ((error as Error).name === 'TokenExpiredError') throw new AccessTokenExpiredError();
      throw new UnauthorizedError('The bearer token is invalid');
    }
    const user = principalOf(payload);
    if (!user) throw new UnauthorizedError('The bearer token is invalid');
    return user;
  }
}
