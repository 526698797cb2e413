import { Body, Controller, Get, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData } from '../common/decorators/api-envelope.decorator';
import { ApiProblems } from '../common/decorators/api-problems.decorator';
import { Envelope, envelope } from '../common/dto/envelope';
import { RateLimited } from '../common/decorators/rate-limited.decorator';
import { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { Authenticated } from './decorators/authenticated.decorator';
import { CurrentUser } from './decorators/current-user.decorator';
import { Public } from './decorators/public.decorator';
import { CredentialsDto } from './dto/credentials.dto';
import { MeDto } from './dto/me.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { TokenPairDto } from './dto/token-pair.dto';
import { UserDto } from './dto/user.dto';

@ApiTags('auth')
@RateLimited()
@ApiProblems(429, 500, 503)
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  @ApiOperation({ operationId: 'register', summary: 'Create an account' })
  @ApiData(UserDto, { status: 201, description: 'The account was created' })
  @ApiProblems(400, 409, 413, 415)
  register(@Body() body: CredentialsDto): Promise<Envelope<UserDto>> {
    return this.auth.register(body).then(envelope);
  }

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'login', summary: 'Exchange credentials for an access and a refresh token' })
  @ApiData(TokenPairDto, { description: 'Logged in' })
  @ApiProblems(400, 401, 413, 415)
  login(@Body() body: CredentialsDto, @Ip() ip: string): Promise<Envelope<TokenPairDto>> {
    return this.auth.login(body, ip).then(envelope);
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'refreshTokens', summary: 'Rotate a refresh token into a new token pair' })
  @ApiData(TokenPairDto, { description: 'A new pair; the presented refresh token is retired' })
  @ApiProblems(400, 401, 413, 415)
  refresh(@Body() body: RefreshTokenDto): Promise<Envelope<TokenPairDto>> {
    return this.auth.refresh(body.refreshToken).then(envelope);
  }

  @Public()
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'logout', summary: 'Revoke a refresh token and its session' })
  @ApiProblems(400, 413, 415)
  async logout(@Body() body: RefreshTokenDto): Promise<void> {
    await this.auth.logout(body.refreshToken);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ operationId: 'getCurrentUser', summary: 'The authenticated user, with their usage and quota' })
  @ApiData(MeDto)
  me(@CurrentUser() user: AuthUser): Promise<Envelope<MeDto>> {
    return this.auth.me(user).then(envelope);
  }
}
