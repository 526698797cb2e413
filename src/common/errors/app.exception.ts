import { HttpException, HttpStatus } from '@nestjs/common';
import { ErrorCode } from './error-codes';

export interface FieldError {
  field: string;
  message: string;
}

export interface AppExceptionOptions {
  errors?: FieldError[];
  headers?: Record<string, string>;
  cause?: unknown;
}

/** Every error the API raises on purpose: a status, a stable code and a human detail. */
export class AppException extends HttpException {
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;

  constructor(
    status: HttpStatus,
    readonly code: ErrorCode,
    readonly detail: string,
    options: AppExceptionOptions = {},
  ) {
    super(detail, status, { cause: options.cause });
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}
