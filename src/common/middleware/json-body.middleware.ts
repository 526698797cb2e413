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
    parse(req, res, (error?: unknown) => next(error === undefined ? unsafeShape(req.body) : toAppException(error)));
  }
}

const MAX_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Refuses bodies nested deeper than any DTO (later recursive steps would overflow the stack: a 500)
 * and prototype-pollution keys, which no DTO has; walked iteratively for the same reason.
 */
function unsafeShape(body: unknown): AppException | undefined {
  const pending: Array<{ value: unknown; depth: number }> = [{ value: body, depth: 0 }];
  while (pending.length) {
    const { value, depth } = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) return rejected(`The JSON body is nested more than ${MAX_DEPTH} levels deep`);
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return rejected(`The JSON body may not contain the key '${key}'`);
      pending.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1 });
    }
  }
  return undefined;
}

function rejected(detail: string): AppException {
  return new AppException(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED, detail);
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
