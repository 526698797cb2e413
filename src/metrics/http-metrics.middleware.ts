import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { performance } from 'node:perf_hooks';
import { HttpMetrics } from './http-metrics';

/** Times every request, matched or not; the figures are taken when the response closes (sent or aborted). */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly http: HttpMetrics) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const start = performance.now();
    res.once('close', () => this.http.observe(req, res, (performance.now() - start) / 1000));
    next();
  }
}
