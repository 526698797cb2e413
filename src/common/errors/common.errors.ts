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

/** The client closed the connection before its request was complete (an aborted upload): logged as 499 at warn. */
export class ClientClosedRequestError extends AppError {
  constructor() {
    super(ErrorCode.CLIENT_CLOSED_REQUEST, 'The client closed the connection before the request was complete');
  }
}

/** A route that takes a JSON body was sent another content type (a form, plain text). */
export class UnsupportedMediaTypeError extends AppError {
  constructor() {
    super(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'JSON expected: send the body as application/json');
  }
}

/** The same answer as an unknown route, for routes that exist only when configured on. */
export class RouteNotFoundError extends AppError {
  constructor() {
    super(ErrorCode.NOT_FOUND, 'No route or resource matches this request');
  }
}
