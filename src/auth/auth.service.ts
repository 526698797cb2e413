import { Injectable } from '@nestjs/common';
import { DuplicateEmailError, UsersService, type User } from '../users';
import { AuthUser } from './auth-user';
import { QuotaService } from '../images/quota/quota.service';
import { CredentialsDto } from './dto/credentials.dto';
import { MeDto } from './dto/me.dto';
import { TokenPairDto } from './dto/token-pair.dto';
import { UserDto } from './dto/user.dto';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordHasher } from './password-hasher';
import { TokenService } from './token.service';
import { EmailTakenError, InvalidCredentialsError, InvalidRefreshTokenError, UnauthorizedError } from './auth.errors';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottleService,
    private readonly quota: QuotaService,
  ) {}

  async register({ email, password }: CredentialsDto): Promise<UserDto> {
    const hash = await this.hasher.hash(password);
    try {
      return UserDto.from(await this.users.create(email, hash));
    } catch (error) {
      if (error instanceof DuplicateEmailError) {
        throw new EmailTakenError();
      }
      throw error;
    }
  }

  async login({ email, password }: CredentialsDto, ip: string): Promise<TokenPairDto> {
    await this.throttle.assertNotLocked(email, ip);
    const user = await this.users.findByEmail(email);
    // Unknown e-mails still pay for a hash verification, so timing does not reveal accounts.
    const valid = await this.hasher.verify(user?.passwordHash, password);
    if (!user || !valid) {
      await this.throttle.recordFailure(email, ip);
      throw new InvalidCredentialsError();
    }
    await this.throttle.reset(email, ip);
    return this.tokens.issue(toAuthUser(user));
  }

  async refresh(refreshToken: string): Promise<TokenPairDto> {
    const { userId, familyId } = await this.tokens.consume(refreshToken);
    const user = await this.users.findById(userId);
    if (!user) throw new InvalidRefreshTokenError('The account no longer exists');
    return this.tokens.rotate(toAuthUser(user), familyId);
  }

  logout(refreshToken: string): Promise<void> {
    return this.tokens.revoke(refreshToken);
  }

  async me(principal: AuthUser): Promise<MeDto> {
    const user = await this.users.findById(principal.id);
    if (!user) throw new UnauthorizedError('The account no longer exists');
    return MeDto.of(user, await this.quota.summary(user.id));
  }
}

function toAuthUser(user: User): AuthUser {
  return { id: user.id, email: user.email, role: user.role };
}
