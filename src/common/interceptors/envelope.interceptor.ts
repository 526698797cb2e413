import { CallHandler, ExecutionContext, Injectable, NestInterceptor, StreamableFile } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, map } from 'rxjs';
import { RAW_RESPONSE_KEY } from '../decorators/raw-response.decorator';
import { Page } from '../dto/page';

/** Wraps every JSON success body as `{ data }`, lists as `{ data, meta }`; 204 and streams pass through. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.get<boolean>(RAW_RESPONSE_KEY, context.getHandler())) return next.handle();
    return next.handle().pipe(map(wrap));
  }
}

function wrap(result: unknown): unknown {
  if (result === undefined || result instanceof StreamableFile) return result;
  if (result instanceof Page) return { data: result.items, meta: result.meta };
  return { data: result };
}
