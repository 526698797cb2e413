import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const VALID_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

type WithId = Request & { id?: string };

/** The client's X-Request-Id when it is safe to echo, a fresh UUID otherwise. */
export function requestIdOf(req: Request, res?: Response): string {
  const existing = (req as WithId).id ?? (res?.getHeader(REQUEST_ID_HEADER) as string | undefined);
  if (existing) return existing;
  const offered = req.headers['x-request-id'];
  const id = typeof offered === 'string' && VALID_REQUEST_ID.test(offered) ? offered : randomUUID();
  (req as WithId).id = id;
  return id;
}

@Injectable()
export class RequestIdMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    res.setHeader(REQUEST_ID_HEADER, requestIdOf(req));
    next();
  }
}
