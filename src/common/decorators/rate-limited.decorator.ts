import { SetMetadata } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

const RATE_LIMITED_KEY = 'rateLimited';

/** Puts a controller under the global per-IP request limit (AUTH_RATE_LIMIT per minute). */
export const RateLimited = () => SetMetadata(RATE_LIMITED_KEY, true);

const reflector = new Reflector();

export function isRateLimited(context: ExecutionContext): boolean {
  return reflector.getAllAndOverride<boolean>(RATE_LIMITED_KEY, [context.getHandler(), context.getClass()]) === true;
}
