import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authConfig } from './config/auth.config';
import { ImagesModule } from '../images/images.module';
import { UsersModule } from '../users';
import { AccessTokenVerifier } from './access-token-verifier';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { LoginFailure } from './login-failure.entity';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordHasher } from './password-hasher';
import { RefreshToken } from './refresh-token.entity';
import { TokenService } from './token.service';

@Module({
  imports: [
    UsersModule,
    // Its QuotaService answers the usage and quota in GET /auth/me; auth never reads images itself.
    ImagesModule,
    PassportModule,
    TypeOrmModule.forFeature([RefreshToken, LoginFailure]),
    JwtModule.registerAsync({
      inject: [authConfig.KEY],
      useFactory: (cfg: ConfigType<typeof authConfig>) => ({
        secret: cfg.jwtSecret,
        signOptions: { algorithm: 'HS256', expiresIn: cfg.jwtExpiresIn, issuer: cfg.issuer, audience: cfg.audience },
        verifyOptions: { algorithms: ['HS256'], issuer: cfg.issuer, audience: cfg.audience },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    TokenService,
    PasswordHasher,
    LoginThrottleService,
    JwtStrategy,
    AdminBootstrapService,
    JwtAuthGuard,
    AccessTokenVerifier,
  ],
  exports: [JwtAuthGuard, AccessTokenVerifier],
})
export class AuthModule {}
