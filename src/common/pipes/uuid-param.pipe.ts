import { ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailedError } from '../errors';

/** A path `:id` that must be a UUID; anything else is a 400 in the problem format. */
export class UuidParamPipe extends ParseUUIDPipe {
  constructor() {
    super({
      exceptionFactory: () =>
        new ValidationFailedError('id must be a UUID', [{ field: 'id', message: 'must be a UUID' }]),
    });
  }
}
