import { AppError, FieldError } from './app-error';
import { ErrorCode } from './error-codes';

/** A query, path or body field broke its rule; `errors[]` names each field. */
export class ValidationFailedError extends AppError {
  constructor(detail: string, errors?: FieldError[]) {
    super(ErrorCode.VALIDATION_FAILED, detail, { errors });
  }
}

export class MalformedJsonError extends AppError {
  constructor(cause?: unknown) {
    super(ErrorCode.MALFORMED_JSON, 'The request body is not valid JSON', { cause });
  }
}

export const MAX_JSON_BODY = '100kb';

export class JsonBodyTooLargeError extends AppError {
  constructor(cause?: unknown) {
    super(ErrorCode.PAYLOAD_TOO_LARGE, `The JSON body is larger than ${MAX_JSON_BODY.replace('kb', ' KB')}`, { cause });
  }
}

/** A backing service (database, storage) cannot be reached: the client may retry shortly. */
export class ServiceUnavailableError extends AppError {
  constructor(detail = 'A backing service is unavailable; try again shortly', cause?: unknown) {
    super(ErrorCode.SERVICE_UNAVAILABLE, detail, { cause, headers: { 'Retry-After': '5' } });
  }
}

/** The same answer as an unknown route, for routes that exist only when configured on. */
export class RouteNotFoundError extends AppError {
  constructor() {
    super(ErrorCode.NOT_FOUND, 'No route or resource matches this request');
  }
}
