import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { RequestLogMiddleware } from './logging/request-log.middleware';
import { CorsMiddleware } from './middleware/cors.middleware';
import { JsonBodyMiddleware } from './middleware/json-body.middleware';
import { RequestIdMiddleware } from './middleware/request-id.middleware';
import { SecurityHeadersMiddleware } from './middleware/security-headers.middleware';

/** The clock, and the app-wide middleware that AppMiddleware runs as one Express layer. */
const MIDDLEWARE = [RequestIdMiddleware, RequestLogMiddleware, SecurityHeadersMiddleware, CorsMiddleware, JsonBodyMiddleware];

@Global()
@Module({ providers: [Clock, ...MIDDLEWARE], exports: [Clock, ...MIDDLEWARE] })
export class CommonModule {}
