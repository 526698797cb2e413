import { Injectable, NestMiddleware } from '@nestjs/common';
import { json } from 'express';
import type { NextFunction, Request, Response } from 'express';

const parse = json({ limit: '100kb', type: ['application/json', 'application/*+json'] });

/**
 * JSON bodies up to 100 KB. Registered as Nest middleware (Nest's own parser is off) so that a
 * malformed or oversized body reaches the global problem-details filter like any other error.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    parse(req, res, next);
  }
}
