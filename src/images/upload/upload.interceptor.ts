import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { Observable, catchError, from, mergeMap, throwError } from 'rxjs';
import { AuthUser } from '../../auth/auth-user';
import { StorageDriver } from '../../storage/storage-driver';
import { MultipartReceiver } from './multipart-receiver';
import { ReceivedUpload } from './received-upload';
import { UploadAdmission } from './upload-admission';

export type RequestWithUpload = Request & { upload?: ReceivedUpload; user?: AuthUser };

/**
 * Streams the `file` part to a temporary storage key before the handler runs. A rejection
 * anywhere after that (pipe, service) removes the key before the error is answered; on success
 * the service has already moved the bytes to their permanent key.
 */
@Injectable()
export class UploadInterceptor implements NestInterceptor {
  constructor(
    private readonly storage: StorageDriver,
    private readonly admission: UploadAdmission,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<RequestWithUpload>();
    // Size and quota from Content-Length first: a body that cannot fit is refused before it is read.
    const limit = await this.admission.limitFor(req.user!.id, req.headers['content-length']);
    const receiver = new MultipartReceiver(this.storage, limit);
    req.upload = await receiver.receive(req);
    return next.handle().pipe(catchError((error: unknown) => from(receiver.discard()).pipe(mergeMap(() => throwError(() => error)))));
  }
}
