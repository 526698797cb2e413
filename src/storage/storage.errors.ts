import { HttpStatus } from '@nestjs/common';
import { AppException, ErrorCode } from '../common/errors';

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no stored object at ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

/** The storage backend cannot be reached or refuses writes: a 503, never the backend's details. */
export class StorageUnavailableException extends AppException {
  constructor(cause?: unknown) {
    super(HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.SERVICE_UNAVAILABLE, 'The image storage is unavailable; try again shortly', {
      cause,
      headers: { 'Retry-After': '5' },
    });
  }
}
