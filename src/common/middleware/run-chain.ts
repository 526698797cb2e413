import type { NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

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
