import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authConfig } from '../config';
import { ImagesModule } from '../images/images.module';
import { UsersModule } from '../users/users.module';
import { AccessTokenVerifier } from './access-token-verifier';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { RolesGuard } from './guards/roles.guard';
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
    AdminBootstrapService,
    JwtAuthGuard,
    RolesGuard,
    AccessTokenVerifier,
  ],
  exports: [JwtAuthGuard, RolesGuard, AccessTokenVerifier],
})
export class AuthModule {}
