import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { NextFunction, Request, Response } from 'express';
import { RequestLogMiddleware } from './common/logging/request-log.middleware';
import { CorsMiddleware } from './common/middleware/cors.middleware';
import { JsonBodyMiddleware } from './common/middleware/json-body.middleware';
import { RequestIdMiddleware } from './common/middleware/request-id.middleware';
import { runChain } from './common/middleware/run-chain';
import { SecurityHeadersMiddleware } from './common/middleware/security-headers.middleware';
import { metricsConfig } from './metrics/config/metrics.config';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware';

/**
 * Every app-wide middleware, in order — request timing (only with METRICS_ENABLED: turned off, it
 * costs nothing), request id, request line, security headers, CORS, JSON body — run as one
 * Express layer. Registered one by one, each was a layer of its own: a path match, a URL rewrite
 * and restore, a WeakSet and an async proxy per middleware per request, which cost more than most
 * of the middleware themselves on a metadata read (`npm run bench`).
 */
@Injectable()
export class AppMiddleware implements NestMiddleware {
  private readonly chain: readonly NestMiddleware[];

  constructor(
    @Inject(metricsConfig.KEY) metrics: ConfigType<typeof metricsConfig>,
    httpMetrics: HttpMetricsMiddleware,
    requestId: RequestIdMiddleware,
    requestLog: RequestLogMiddleware,
    securityHeaders: SecurityHeadersMiddleware,
    cors: CorsMiddleware,
    jsonBody: JsonBodyMiddleware,
  ) {
    this.chain = [...(metrics.enabled ? [httpMetrics] : []), requestId, requestLog, securityHeaders, cors, jsonBody];
  }

  use(req: Request, res: Response, next: NextFunction): void {
    runChain(this.chain, req, res, next);
  }
}
