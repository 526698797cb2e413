import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { IsNull, Not, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { authConfig } from './config/auth.config';
import { InvalidRefreshTokenError } from './auth.errors';
import { AuthUser } from './auth-user';
import { TokenPairDto } from './dto/token-pair.dto';
import { RefreshToken } from './refresh-token.entity';

export interface AccessTokenPayload {
  sub: string;
  email: string;
  role: AuthUser['role'];
}

/** Issues access JWTs and rotating opaque refresh tokens (OAuth 2.0 Security BCP §4.14). */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @InjectRepository(RefreshToken) private readonly refreshTokens: Repository<RefreshToken>,
    @Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>,
    private readonly clock: Clock,
  ) {}

  /** A new session: a fresh refresh-token family. */
  async issue(user: AuthUser): Promise<TokenPairDto> {
    return this.pair(user, await this.storeRefreshToken(user, randomUUID()));
  }

  /**
   * Retires the presented refresh token and returns the user it belonged to with its family.
   * A token that was already used or revoked is a replay: the whole family is revoked.
   */
  async consume(rawToken: string): Promise<{ userId: string; familyId: string }> {
    const token = await this.refreshTokens.findOneBy({ tokenHash: hashToken(rawToken) });
    if (!token) throw new InvalidRefreshTokenError();
    if (token.usedAt || token.revokedAt) {
      await this.revokeFamily(token.familyId);
      throw new InvalidRefreshTokenError();
    }
    if (token.expiresAt.getTime() <= this.clock.now().getTime()) throw new InvalidRefreshTokenError();
    // Conditional update: of two concurrent uses (even on two instances) exactly one wins.
    const result = await this.refreshTokens.update({ id: token.id, usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: this.clock.now() });
    if (!result.affected) {
      await this.revokeFamily(token.familyId);
      throw new InvalidRefreshTokenError();
    }
    return { userId: token.userId, familyId: token.familyId };
  }

  /**
   * The next pair of a session whose token was just consumed. A replay of that token (the loser of
   * a race) revokes the family either before this insert, and the check after it sees that, or
   * after it, and the revocation covers the new row too: either way no token of the family survives.
   */
  async rotate(user: AuthUser, familyId: string): Promise<TokenPairDto> {
    const refreshToken = await this.storeRefreshToken(user, familyId);
    if (await this.refreshTokens.existsBy({ familyId, revokedAt: Not(IsNull()) })) {
      await this.revokeFamily(familyId);
      throw new InvalidRefreshTokenError();
    }
    return this.pair(user, refreshToken);
  }

  private async storeRefreshToken(user: AuthUser, familyId: string): Promise<string> {
    const now = this.clock.now();
    const refreshToken = randomBytes(32).toString('base64url');
    await this.refreshTokens.insert({
      id: randomUUID(),
      userId: user.id,
      familyId,
      tokenHash: hashToken(refreshToken),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.cfg.refreshTokenExpiresIn * 1000),
      usedAt: null,
      revokedAt: null,
    });
    return refreshToken;
  }

  private async pair(user: AuthUser, refreshToken: string): Promise<TokenPairDto> {
    const payload: AccessTokenPayload = { sub: user.id, email: user.email, role: user.role };
    const accessToken = await this.jwt.signAsync(payload);
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.cfg.jwtExpiresIn };
  }

  /** Logout: the session the token belongs to ends. Unknown tokens are ignored (idempotent). */
  async revoke(rawToken: string): Promise<void> {
    const token = await this.refreshTokens.findOneBy({ tokenHash: hashToken(rawToken) });
    if (token) await this.revokeFamily(token.familyId);
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.refreshTokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
  }
}

function hashToken(raw: string): string {
  return createHash('sha256').update(raw).digest('hex');
}
