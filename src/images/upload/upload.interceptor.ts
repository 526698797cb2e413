import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { Observable, catchError, from, mergeMap, throwError } from 'rxjs';
import { uploadConfig } from '../../config';
import { StorageDriver } from '../../storage/storage-driver';
import { MultipartReceiver } from './multipart-receiver';
import { ReceivedUpload } from './received-upload';

export type RequestWithUpload = Request & { upload?: ReceivedUpload };

/**
 * Streams the `file` part to a temporary storage key before the handler runs. A rejection
 * anywhere after that (pipe, service) removes the key before the error is answered; on success
 * the service has already moved the bytes to their permanent key.
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
    return next
      .handle()
      .pipe(catchError((error: unknown) => from(receiver.discard()).pipe(mergeMap(() => throwError(() => error)))));
  }
}
