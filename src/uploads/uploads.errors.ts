import { AppError, ErrorCode } from '../common/errors';

export class UploadNotFoundError extends AppError {
  constructor() {
    super(ErrorCode.UPLOAD_NOT_FOUND, 'No upload with this id');
  }
}

export class UploadLengthRequiredError extends AppError {
  constructor() {
    super(ErrorCode.VALIDATION_FAILED, 'Upload-Length is required (deferred lengths are not supported)', {
      errors: [{ field: 'Upload-Length', message: 'must be a whole number of bytes' }],
    });
  }
}

/** A status tus itself answered (wrong offset, missing Tus-Resumable, …), as a problem. */
export class TusProtocolError extends AppError {
  constructor(code: ErrorCode, detail: string, headers: Record<string, string>) {
    super(code, detail, { headers });
  }
}
