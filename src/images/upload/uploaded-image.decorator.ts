import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { AuthUser } from '../../auth/auth-user';
import { ReceivedUpload } from './received-upload';
import { RequestWithUpload } from './upload.interceptor';

/** The upload that UploadInterceptor received, with its uploader; pair it with ImageFileValidationPipe. */
export const UploadedImage = createParamDecorator((_data: unknown, ctx: ExecutionContext): ReceivedUpload | undefined => {
  const req = ctx.switchToHttp().getRequest<RequestWithUpload & { user?: AuthUser }>();
  return req.upload && { ...req.upload, ownerId: req.user?.id };
});
