import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { verify as verifyJwt, VerifyOptions } from 'jsonwebtoken';
import { createSecretKey, KeyObject } from 'node:crypto';
import { ROLES } from '../users';
import { authConfig } from './config/auth.config';
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

/** Verified tokens remembered per process: a token's signature and claims never change, only its expiry. */
const VERIFIED_TOKENS_MAX = 1024;

interface Verified {
  principal: AuthUser;
  exp: number;
}

/**
 * The bearer token in an Authorization header, read exactly as passport-jwt's
 * `fromAuthHeaderAsBearerToken()` did (first two whitespace-separated words, scheme case-insensitive).
 */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /(\S+)\s+(\S+)/.exec(header);
  return match && match[1].toLowerCase() === 'bearer' ? match[2] : undefined;
}

/**
 * Verifies access tokens (secret, HS256, issuer, audience, expiry, then principalOf) with a KeyObject
 * made once, and remembers up to VERIFIED_TOKENS_MAX verified tokens so a client's repeated requests
 * skip the HMAC and JSON parsing; a remembered token still expires on time. Used by the global
 * guard and by code that runs before routing (the Expect: 100-continue gate).
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly key: KeyObject;
  private readonly options: VerifyOptions & { complete: true };
  private readonly verified = new Map<string, Verified>();

  constructor(@Inject(authConfig.KEY) cfg: ConfigType<typeof authConfig>) {
    // Given a string, jsonwebtoken tries createPublicKey() on it and throws and catches on every call.
    this.key = createSecretKey(Buffer.from(cfg.jwtSecret));
    this.options = { algorithms: ['HS256'], issuer: cfg.issuer, audience: cfg.audience, complete: true };
  }

  /** The continue gate's check: a header that is exactly `Bearer <token>`. */
  async verify(authorization: string | undefined): Promise<AuthUser> {
    const token = /^bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new UnauthorizedError('A bearer token is required', 'Bearer');
    return this.principalOf(token);
  }

  /** The token's principal, or AccessTokenExpiredError / UnauthorizedError as the guard answers them. */
  principalOf(token: string): AuthUser {
    const known = this.recall(token);
    if (known) return known;
    let decoded: DecodedToken;
    try {
      decoded = verifyJwt(token, this.key, this.options) as unknown as DecodedToken;
    } catch (error) {
      if ((error as Error).name === 'TokenExpiredError') throw new AccessTokenExpiredError();
      throw new UnauthorizedError('The bearer token is invalid');
    }
    const principal = principalOf(decoded);
    if (!principal) throw new UnauthorizedError('The bearer token is invalid');
    this.remember(token, principal, decoded.payload.exp as number);
    return principal;
  }

  /**
   * The principal of a token verified before, while it has not expired (jsonwebtoken's rule:
   * expired once the current second reaches `exp`); undefined otherwise, so it is verified in full.
   */
  recall(token: string): AuthUser | undefined {
    const known = this.verified.get(token);
    if (!known) return undefined;
    if (Math.floor(Date.now() / 1000) < known.exp) return known.principal;
    this.verified.delete(token);
    return undefined;
  }

  /** A token whose signature and claims were just verified (by this class or by passport-jwt). */
  remember(token: string, principal: AuthUser, exp: number): void {
    if (this.verified.size >= VERIFIED_TOKENS_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, exp });
  }
}
