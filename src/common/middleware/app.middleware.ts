import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { RequestLogMiddleware } from '../logging/request-log.middleware';
import { CorsMiddleware } from './cors.middleware';
import { JsonBodyMiddleware } from './json-body.middleware';
import { RequestIdMiddleware } from './request-id.middleware';
import { SecurityHeadersMiddleware } from './security-headers.middleware';

/**
 * The app-wide middleware, in order — request id, request line, security headers, CORS, JSON body —
 * run as one Express layer. Registered one by one, each was its own layer: a path match, a URL
 * rewrite and restore, a WeakSet and an async proxy per middleware per request, which together cost
 * more than the middleware themselves on a metadata read (`npm run bench`, same-run A/B).
 */
@Injectable()
export class AppMiddleware implements NestMiddleware {
  private readonly chain: readonly NestMiddleware[];

  constructor(
    requestId: RequestIdMiddleware,
    requestLog: RequestLogMiddleware,
    securityHeaders: SecurityHeadersMiddleware,
    cors: CorsMiddleware,
    jsonBody: JsonBodyMiddleware,
  ) {
    this.chain = [requestId, requestLog, securityHeaders, cors, jsonBody];
  }

  use(req: Request, res: Response, next: NextFunction): void {
    runChain(this.chain, req, res, next);
  }
}

/**
 * Runs the middleware one after the other as Express would: the first to pass an error ends the
 * chain with it. One that throws throws to the caller (Nest's proxy hands it to the exception
 * filter); an async one that rejects ends the chain with its error.
 */
export function runChain(chain: readonly NestMiddleware[], req: Request, res: Response, done: NextFunction): void {
  let index = 0;
  const step = (error?: unknown): void => {
    if (error !== undefined || index === chain.length) return done(error);
    const result: unknown = chain[index++].use(req, res, step);
    if (result instanceof Promise) result.catch(done);
  };
  step();
}
