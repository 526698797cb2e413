import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { JwtAuthGuard } from './auth/guards/jwt-auth.guard';
import { RolesGuard } from './auth/guards/roles.guard';
import { CommonModule } from './common/common.module';
import { isRateLimited } from './common/decorators/rate-limited.decorator';
import { ProblemDetailsFilter } from './common/filters/problem-details.filter';
import { JsonBodyGuard } from './common/guards/json-body.guard';
import { EnvelopeInterceptor } from './common/interceptors/envelope.interceptor';
import { CorsMiddleware } from './common/middleware/cors.middleware';
import { JsonBodyMiddleware } from './common/middleware/json-body.middleware';
import { LOG_DESTINATION, loggerParams } from './common/logging/logger-params';
import { RequestIdMiddleware } from './common/middleware/request-id.middleware';
import { SecurityHeadersMiddleware } from './common/middleware/security-headers.middleware';
import { createValidationPipe } from './common/pipes/validation.pipe';
import { appConfig, configNamespaces, throttleConfig } from './config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { ImagesModule } from './images/images.module';
import { MetricsModule } from './metrics/metrics.module';
import { StorageModule } from './storage/storage.module';
import { UploadsModule } from './uploads/uploads.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: configNamespaces, ignoreEnvFile: process.env.NODE_ENV === 'test' }),
    LoggerModule.forRootAsync({
      providers: [{ provide: LOG_DESTINATION, useValue: null }],
      inject: [appConfig.KEY, LOG_DESTINATION],
      useFactory: loggerParams,
    }),
    ThrottlerModule.forRootAsync({
      inject: [throttleConfig.KEY],
      useFactory: (cfg: ConfigType<typeof throttleConfig>) => ({
        throttlers: [{ name: 'default', ttl: 60_000, limit: cfg.authRateLimit }],
        // One budget per IP for all rate-limited routes together; the default key is per handler.
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
        skipIf: (context) => !isRateLimited(context),
      }),
    }),
    CommonModule,
    MetricsModule,
    DatabaseModule,
    UsersModule,
    AuthModule,
    StorageModule,
    ImagesModule,
    UploadsModule,
    HealthModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_GUARD, useExisting: JwtAuthGuard },
    { provide: APP_GUARD, useExisting: RolesGuard },
    { provide: APP_GUARD, useClass: JsonBodyGuard },
  ],
})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestIdMiddleware, SecurityHeadersMiddleware, CorsMiddleware, JsonBodyMiddleware).forRoutes('{*path}');
  }
}
