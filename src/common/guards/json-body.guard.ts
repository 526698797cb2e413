import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import { UnsupportedMediaTypeError } from '../errors';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * A route that reads a `@Body()` takes JSON: a body of any other type (a form, text/plain) is a 415,
 * not a list of validation messages about fields the parser never read. Body-less requests pass.
 * A guard (the last global one), not an interceptor: no rxjs chain per request for a synchronous check.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  private readonly takesBody = new WeakMap<object, boolean>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() === 'http' && this.readsBody(context)) {
      const req = context.switchToHttp().getRequest<Request>();
      if (hasBody(req) && !req.is(JSON_TYPES)) throw new UnsupportedMediaTypeError();
    }
    return true;
  }

  private readsBody(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let reads = this.takesBody.get(handler);
    if (reads === undefined) {
      const args: Record<string, unknown> = Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {};
      reads = Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
      this.takesBody.set(handler, reads);
    }
    return reads;
  }
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}
