import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { RequestWithUpload } from './upload.interceptor';

/** The upload that UploadInterceptor received; pair it with ImageFileValidationPipe. */
export const UploadedImage = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<RequestWithUpload>().upload,
);
