import { ServiceUnavailableError } from '../common/errors';

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no stored object at ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

/** The storage backend cannot be reached or refuses writes: a 503, never the backend's details. */
export class StorageUnavailableError extends ServiceUnavailableError {
  constructor(cause?: unknown) {
    super('The image storage is unavailable; try again shortly', cause);
  }
}
