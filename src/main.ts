import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigType } from '@nestjs/config';
import { Logger } from '@nestjs/common';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp } from './app.setup';
import { appConfig } from './config';
import { ConfigValidationError, parseEnv } from './config/env.validation';

async function bootstrap(): Promise<void> {
  // Validate before Nest starts: otherwise its injector logs the error, with a stack, before we can.
  parseEnv();
  const app = configureApp(await NestFactory.create(AppModule, APP_OPTIONS));
  const cfg = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  const logger = new Logger('Bootstrap');
  for (const warning of cfg.warnings) logger.warn(warning);
  await app.listen(cfg.port);
  logger.log(`Image API listening on http://localhost:${cfg.port} (docs at /docs)`);
}

bootstrap().catch((error: unknown) => {
  // Configuration problems are the operator's to fix: print the message, not a stack trace.
  const message = error instanceof ConfigValidationError ? error.message : String((error as Error)?.stack ?? error);
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
