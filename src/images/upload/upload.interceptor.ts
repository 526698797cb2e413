import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { Observable, catchError, finalize, from, mergeMap, throwError } from 'rxjs';
import { uploadConfig } from '../../config';
import { StorageDriver } from '../../storage/storage-driver';
import { MultipartReceiver } from './multipart-receiver';
import { ReceivedUpload } from './received-upload';

export type RequestWithUpload = Request & { upload?: ReceivedUpload };

/**
 * Streams the `file` part to a temporary storage key before the handler runs, and removes that
 * key when the request is over: after a rejection it is the only copy, after success it was moved.
 */
@Injectable()
export class UploadInterceptor implements NestInterceptor {
  constructor(
    private readonly storage: StorageDriver,
    @Inject(uploadConfig.KEY) private readonly cfg: ConfigType<typeof uploadConfig>,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<RequestWithUpload>();
    const receiver = new MultipartReceiver(this.storage, this.cfg.maxContentLength);
    req.upload = await receiver.receive(req);
    return next.handle().pipe(
      // A rejected upload is removed before the error is answered, so nothing outlives the request.
      catchError((error: unknown) => from(receiver.discard()).pipe(mergeMap(() => throwError(() => error)))),
      finalize(() => void receiver.discard()),
    );
  }
}
