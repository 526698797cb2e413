import { ArgumentMetadata, ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailedError } from '../errors';

/** A path `:id` that must be a UUID (any case, stored lower-case); anything else is a 400 in the problem format. */
export class UuidParamPipe extends ParseUUIDPipe {
  constructor() {
    super({
      exceptionFactory: () => new ValidationFailedError('id must be a UUID', [{ field: 'id', message: 'must be a UUID' }]),
    });
  }

  async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    return (await super.transform(value, metadata)).toLowerCase();
  }
}
