import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { AppMiddleware } from './app.middleware';
import { AuthModule } from './auth/auth.module';
import { authConfig } from './auth/config/auth.config';
import { JwtAuthGuard } from './auth/guards/jwt-auth.guard';
import { CommonModule } from './common/common.module';
import { isRateLimited } from './common/decorators/rate-limited.decorator';
import { ProblemDetailsFilter } from './common/filters/problem-details.filter';
import { JsonBodyGuard } from './common/guards/json-body.guard';
import { LOG_DESTINATION, loggerParams } from './common/logging/logger-params';
import { createValidationPipe } from './common/pipes/validation.pipe';
import { AppConfigModule, Env, appConfig, throttleConfig } from './config';
import { databaseConfig } from './database/config/database.config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { imageWorkConfig } from './images/config/image-work.config';
import { linksConfig } from './images/config/links.config';
import { uploadConfig } from './images/config/upload.config';
import { ImagesModule } from './images/images.module';
import { storageConfig } from './storage/config/storage.config';
import { StorageModule } from './storage/storage.module';
import { MetricsModule } from './metrics/metrics.module';
import { metricsConfig } from './metrics/config/metrics.config';
import { UploadsModule } from './uploads/uploads.module';
import { resumableUploadConfig } from './uploads/config/resumable-upload.config';
import { UsersModule } from './users';
import { deliveryConfig } from './images/config/delivery.config';

/** Every module's namespace, each derived from the one parsed Env. */
const CONFIG_NAMESPACES = [
  appConfig,
  throttleConfig,
  authConfig,
  databaseConfig,
  storageConfig,
  uploadConfig,
  linksConfig,
  imageWorkConfig,
  deliveryConfig,
  metricsConfig,
  resumableUploadConfig,
];

@Module({
  imports: [
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
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_GUARD, useExisting: JwtAuthGuard },
    { provide: APP_GUARD, useClass: JsonBodyGuard },
  ],
})
export class AppModule implements NestModule {
  /** The application over one parsed configuration (main.ts: `loadEnv()`; tests: `parseEnv({...})`). */
  static forRoot(env: Env): DynamicModule {
    return { module: AppModule, imports: [AppConfigModule.forRoot(env, CONFIG_NAMESPACES)] };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AppMiddleware).forRoutes('{*path}');
  }
}
