import { HttpStatus, ParseUUIDPipe } from '@nestjs/common';
import { AppException, ErrorCode } from '../errors';

/** A path `:id` that must be a UUID; anything else is a 400 in the problem format. */
export class UuidParamPipe extends ParseUUIDPipe {
  constructor() {
    super({
      exceptionFactory: () =>
        new AppException(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED, 'id must be a UUID', {
          errors: [{ field: 'id', message: 'must be a UUID' }],
        }),
    });
  }
}
