import { Injectable, NestMiddleware } from '@nestjs/common';
import { json } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { AppError, JsonBodyTooLargeError, MAX_JSON_BODY, MalformedJsonError, ValidationFailedError } from '../errors';

const parse = json({ limit: MAX_JSON_BODY, type: ['application/json', 'application/*+json'] });

/**
 * JSON bodies up to MAX_JSON_BODY. The one place body-parser errors become problems. Registered as Nest middleware (Nest's own parser is off) so that a
 * malformed or oversized body reaches the global problem-details filter like any other error.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    parse(req, res, (error?: unknown) => next(error === undefined ? unsafeShape(req.body) : toAppError(error)));
  }
}

const MAX_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Refuses bodies nested deeper than any DTO (later recursive steps would overflow the stack: a 500)
 * and prototype-pollution keys, which no DTO has; walked iteratively for the same reason.
 */
function unsafeShape(body: unknown): AppError | undefined {
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

function rejected(detail: string): AppError {
  return new ValidationFailedError(detail);
}

/** Nest turns body-parser's SyntaxError into a bare 400 before any filter sees it, so map it here. */
function toAppError(error: unknown): unknown {
  const type = (error as { type?: string }).type;
  if (type === 'entity.parse.failed') {
    return new MalformedJsonError(error);
  }
  if (type === 'entity.too.large') {
    return new JsonBodyTooLargeError(error);
  }
  return error;
}
