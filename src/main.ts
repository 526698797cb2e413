// First: sizes libuv's threadpool before any module can start it (see threadpool.ts).
import './threadpool';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigType } from '@nestjs/config';
import { Logger } from '@nestjs/common';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp, createHttpAdapter, exitOnSignals } from './app.setup';
import { ConfigValidationError, appConfig, loadEnv } from './config';
import { allocatorNotice, currentAllocator } from './allocator';

async function bootstrap(): Promise<void> {
  // Parsed once, before Nest starts: a bad value is reported by the catch below, without a stack.
  const env = loadEnv();
  const app = configureApp(await NestFactory.create(AppModule.forRoot(env), createHttpAdapter(), APP_OPTIONS));
  const cfg = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  const logger = new Logger('Bootstrap');
  for (const warning of cfg.warnings) logger.warn(warning);
  const allocator = allocatorNotice(currentAllocator(), cfg.memoryAllocator);
  if (allocator) logger[allocator.level](allocator.message);
  await app.listen(cfg.port);
  logger.log(`Image API listening on http://localhost:${cfg.port} (docs at /docs)`);
  exitOnSignals(app);
}

bootstrap().catch((error: unknown) => {
  // Configuration problems are the operator's to fix: print the message, not a stack trace.
  const message = error instanceof ConfigValidationError ? error.message : String((error as Error)?.stack ?? error);
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
