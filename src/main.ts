// First: sizes libuv's threadpool before any module can start it (see threadpool.ts).
import './threadpool';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigType } from '@nestjs/config';
import { INestApplication, Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp } from './app.setup';
import { ConfigValidationError, appConfig, loadEnv } from './config';

async function bootstrap(): Promise<void> {
  // Parsed once, before Nest starts: a bad value is reported by the catch below, without a stack.
  const env = loadEnv();
  const app = configureApp(await NestFactory.create(AppModule.forRoot(env), APP_OPTIONS));
  const cfg = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  const logger = new Logger('Bootstrap');
  for (const warning of cfg.warnings) logger.warn(warning);
  // Slow-loris defence: a client must send its headers, and its whole request, in bounded time.
  const server = app.getHttpServer() as Server & { connectionsCheckingInterval: number };
  server.headersTimeout = cfg.headersTimeoutMs;
  server.requestTimeout = cfg.requestTimeoutMs;
  // Node enforces both only when it checks its connections (every 30 s by default), read at listen time.
  server.connectionsCheckingInterval = Math.min(30_000, Math.max(250, Math.floor(cfg.headersTimeoutMs / 4)));
  await app.listen(cfg.port);
  logger.log(`Image API listening on http://localhost:${cfg.port} (docs at /docs)`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutdown(app, cfg.shutdownTimeoutMs, logger, signal));
  }
}

/**
 * Stops accepting connections, lets in-flight requests (uploads) finish within the timeout,
 * closes the database and storage clients, and exits 0; past the timeout it exits 1.
 */
async function shutdown(app: INestApplication, timeoutMs: number, logger: Logger, signal: string): Promise<void> {
  logger.log(`${signal} received: finishing in-flight requests (at most ${timeoutMs} ms)`);
  setTimeout(() => {
    logger.error('Shutdown timed out; exiting with requests still open');
    process.exit(1);
  }, timeoutMs).unref();
  await app.close();
  process.exit(0);
}

bootstrap().catch((error: unknown) => {
  // Configuration problems are the operator's to fix: print the message, not a stack trace.
  const message = error instanceof ConfigValidationError ? error.message : String((error as Error)?.stack ?? error);
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
