import { ErrorCode } from './error-codes';

export interface FieldError {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  errors?: FieldError[];
  /** Headers the answer must carry (`Retry-After`, `Content-Range`, `WWW-Authenticate`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * Every error the API raises on purpose: a stable code and a human detail, no HTTP status. Each
 * module names its own in `<module>.errors.ts`; the exception filter looks the status up in
 * ERROR_STATUS, so services, drivers and guards never pick one.
 */
export class AppError extends Error {
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    options: AppErrorOptions = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = new.target.name;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}
