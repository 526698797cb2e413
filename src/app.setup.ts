import { INestApplication, Logger as NestLogger, NestApplicationOptions } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Server } from 'node:http';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AccessTokenVerifier } from './auth/access-token-verifier';
import { installContinueGate } from './common/http/continue-gate';
import { AppExpressAdapter } from './common/http/express-adapter';
import { installParserErrorAnswers } from './common/http/http-parser-errors';
import { DeliveryPlanner } from './images/delivery/delivery-planner';
import { documentPresets } from './images/delivery/presets-openapi';
import { UploadAdmission } from './images/upload/upload-admission';
import { appConfig } from './config';

/** Options every instance is created with, in main.ts and in the e2e tests alike. */
export const APP_OPTIONS: NestApplicationOptions = { bodyParser: false, bufferLogs: true, abortOnError: false };

/** The HTTP adapter every instance is created with (main.ts, the e2e tests): Express, see AppExpressAdapter. */
export function createHttpAdapter(): AppExpressAdapter {
  return new AppExpressAdapter();
}

/** What cannot be a provider of AppModule: the logger, Express settings and the OpenAPI document. */
export function configureApp(app: INestApplication): INestApplication {
  const express = app as NestExpressApplication;
  express.useLogger(app.get(Logger));
  express.disable('x-powered-by');
  express.set('etag', false);
  express.set('query parser', 'simple');
  applyServerTimeouts(app);
  installParserErrorAnswers(app.getHttpServer());
  installUploadContinueGate(app);
  setupSwagger(app);
  return app;
}

/** Slow-loris defence: a client must send its headers, and its whole request, in bounded time. */
function applyServerTimeouts(app: INestApplication): void {
  const cfg = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  const server = app.getHttpServer() as Server & { connectionsCheckingInterval: number };
  server.headersTimeout = cfg.headersTimeoutMs;
  server.requestTimeout = cfg.requestTimeoutMs;
  // Node enforces both only when it checks its connections (every 30 s by default), read at listen time.
  server.connectionsCheckingInterval = Math.min(30_000, Math.max(250, Math.floor(cfg.headersTimeoutMs / 4)));
}

/**
 * Stops accepting connections, lets in-flight requests (uploads) finish within SHUTDOWN_TIMEOUT and
 * closes the database and storage clients; resolves with the exit code: 0, or 1 past the timeout.
 */
export async function shutdown(app: INestApplication, reason: string): Promise<number> {
  const timeoutMs = app.get<ConfigType<typeof appConfig>>(appConfig.KEY).shutdownTimeoutMs;
  const logger = new NestLogger('Shutdown');
  logger.log(`${reason} received: finishing in-flight requests (at most ${timeoutMs} ms)`);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      logger.error('Shutdown timed out; exiting with requests still open');
      resolve(1);
    }, timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([app.close().then(() => 0), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGTERM and SIGINT shut the app down, then `exit` with shutdown's code. */
export function exitOnSignals(app: INestApplication, exit: (code: number) => void = (code) => process.exit(code)): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutdown(app, signal).then(exit));
  }
}

/** `Expect: 100-continue` on an upload: 100 only after the bearer token, size and quota pass. */
function installUploadContinueGate(app: INestApplication): void {
  const tokens = app.get(AccessTokenVerifier);
  const uploads = app.get(UploadAdmission);
  installContinueGate(app.getHttpServer(), async (req) => {
    if (!uploads.isUploadRoute(req.method, req.url)) return;
    const user = await tokens.verify(req.headers.authorization);
    await uploads.limitFor(user.id, req.headers['content-length']);
  });
}

export function buildOpenApiDocument(app: INestApplication) {
  const config = new DocumentBuilder()
    .setTitle('Image API')
    .setDescription(
      'Upload, validate, store, list, transform and serve images. Successful bodies are `{ data }` ' +
        '(lists add `meta`); errors are RFC 9457 problem details (`application/problem+json`).',
    )
    .setVersion('1.0.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    // Relative, so the document (and Swagger UI's "Try it out") works on whatever host serves it.
    .addServer('/', 'The host serving this document')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addTag('auth', 'Accounts and tokens')
    .addTag('images', 'Upload, list, read, download and delete images')
    .addTag('uploads', 'Resumable uploads (tus 1.0.0) for large files and unreliable networks')
    .addTag('compat', 'Routes of the original Flask service, kept for its clients (deprecated)')
    .addTag('operations', 'Health')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller, method) => method,
  });
  return documentPresets(document, app.get(DeliveryPlanner).presetNames());
}

function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
