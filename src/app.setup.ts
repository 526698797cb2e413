import { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AccessTokenVerifier } from './auth/access-token-verifier';
import { installContinueGate } from './common/http/continue-gate';
import { installClientErrorHandler } from './common/filters/client-error.handler';
import { DeliveryPlanner } from './images/delivery/delivery-planner';
import { documentPresets } from './images/delivery/presets-openapi';
import { UploadAdmission } from './images/upload/upload-admission';

/** Options every instance is created with, in main.ts and in the e2e tests alike. */
export const APP_OPTIONS: NestApplicationOptions = { bodyParser: false, bufferLogs: true, abortOnError: false };

/** What cannot be a provider of AppModule: the logger, Express settings and the OpenAPI document. */
export function configureApp(app: INestApplication): INestApplication {
  const express = app as NestExpressApplication;
  express.useLogger(app.get(Logger));
  express.disable('x-powered-by');
  express.set('etag', false);
  express.set('query parser', 'simple');
  installClientErrorHandler(app.getHttpServer());
  installUploadContinueGate(app);
  setupSwagger(app);
  return app;
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
