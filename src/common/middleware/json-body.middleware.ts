import { HttpStatus, Injectable, NestMiddleware } from '@nestjs/common';
import { json } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { AppException, ErrorCode } from '../errors';

const parse = json({ limit: '100kb', type: ['application/json', 'application/*+json'] });

/**
 * JSON bodies up to 100 KB. Registered as Nest middleware (Nest's own parser is off) so that a
 * malformed or oversized body reaches the global problem-details filter like any other error.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    parse(req, res, (error?: unknown) => next(error === undefined ? undefined : toAppException(error)));
  }
}

/** Nest turns body-parser's SyntaxError into a bare 400 before any filter sees it, so map it here. */
function toAppException(error: unknown): unknown {
  const type = (error as { type?: string }).type;
  if (type === 'entity.parse.failed') {
    return new AppException(HttpStatus.BAD_REQUEST, ErrorCode.MALFORMED_JSON, 'The request body is not valid JSON', { cause: error });
  }
  if (type === 'entity.too.large') {
    return new AppException(HttpStatus.PAYLOAD_TOO_LARGE, ErrorCode.PAYLOAD_TOO_LARGE, 'The JSON body is larger than 100 KB', {
      cause: error,
    });
  }
  return error;
}
