import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { AuthUser } from '../../auth/auth-user';
import { ReceivedUpload } from './received-upload';
import { RequestWithUpload } from './upload.interceptor';

/** The upload that UploadInterceptor received, with its uploader; pair it with ImageFileValidationPipe. */
export const UploadedImage = createParamDecorator((_data: unknown, ctx: ExecutionContext): ReceivedUpload | undefined => {
  const req = ctx.switchToHttp().getRequest<RequestWithUpload & { user?: AuthUser }>();
  const upload = req.upload;
  if (!upload) return undefined;
  // One literal with every field, not a spread plus more: a spread gave each upload's object a hidden class of its own.
  const { tempKey, filename, size, sha256, inspected } = upload;
  return { tempKey, filename, size, sha256, ownerId: req.user?.id, inspected };
});
