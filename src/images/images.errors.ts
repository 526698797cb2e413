import { AppError, ErrorCode, ValidationFailedError } from '../common/errors';

export class ImageNotFoundError extends AppError {
  constructor() {
    super(ErrorCode.IMAGE_NOT_FOUND, 'No image with this id');
  }
}

export class ListOthersForbiddenError extends AppError {
  constructor() {
    super(ErrorCode.FORBIDDEN, "Only admins may list another user's images");
  }
}

export class RangeNotSatisfiableError extends AppError {
  constructor(range: string, size: number) {
    super(ErrorCode.RANGE_NOT_SATISFIABLE, `The range '${range}' is outside the ${size} bytes of this content`, {
      headers: { 'Content-Range': `bytes */${size}` },
    });
  }
}

export class ContentAuthRequiredError extends AppError {
  constructor() {
    super(ErrorCode.UNAUTHORIZED, 'A bearer token or a signed link is required', { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
}

export class InvalidSignatureError extends AppError {
  constructor() {
    super(ErrorCode.INVALID_SIGNATURE, 'The link signature does not match');
  }
}

export class LinkExpiredError extends AppError {
  constructor() {
    super(ErrorCode.LINK_EXPIRED, 'This link has expired; ask for a new one');
  }
}

export class TransformFailedError extends AppError {
  constructor(cause?: unknown) {
    super(ErrorCode.IMAGE_CORRUPT, 'The image could not be transformed', { cause });
  }
}

// The upload pipeline's errors, one per validation step of the contract.

export class FileRequiredError extends AppError {
  constructor(detail = "A file is required in the multipart field 'file'") {
    super(ErrorCode.FILE_REQUIRED, detail);
  }
}

export class EmptyFileError extends AppError {
  constructor() {
    super(ErrorCode.EMPTY_FILE, 'The uploaded file is empty');
  }
}

export class TooManyFilesError extends AppError {
  constructor() {
    super(ErrorCode.TOO_MANY_FILES, 'Send exactly one file per request');
  }
}

export class MalformedMultipartError extends AppError {
  constructor(detail: string) {
    super(ErrorCode.MALFORMED_MULTIPART, detail);
  }
}

export class FileTooLargeError extends AppError {
  constructor(limit: number) {
    super(ErrorCode.FILE_TOO_LARGE, `The file is larger than the limit of ${limit} bytes`);
  }
}

export class FieldTooLargeError extends AppError {
  constructor(limit: number) {
    super(ErrorCode.PAYLOAD_TOO_LARGE, `A text field of the multipart body is larger than ${limit} bytes`);
  }
}

export class UnsupportedFileTypeError extends AppError {
  constructor(detail: string) {
    super(ErrorCode.UNSUPPORTED_FILE_TYPE, detail);
  }
}

export class ContentTypeMismatchError extends AppError {
  constructor(detail: string) {
    super(ErrorCode.CONTENT_TYPE_MISMATCH, detail);
  }
}

export class ImageCorruptError extends AppError {
  constructor(detail = 'The file is not a decodable image (truncated or corrupt)') {
    super(ErrorCode.IMAGE_CORRUPT, detail);
  }
}

export class ImageDimensionsTooLargeError extends AppError {
  constructor(detail: string) {
    super(ErrorCode.IMAGE_DIMENSIONS_TOO_LARGE, detail);
  }
}

export class DecodeMemoryExceededError extends AppError {
  constructor(cost: number, limit: number) {
    super(ErrorCode.IMAGE_TOO_COMPLEX, `Decoding the image would need ${cost} bytes of memory; the limit is ${limit}`);
  }
}

export class QuotaExceededError extends AppError {
  constructor(quota: number) {
    super(ErrorCode.QUOTA_EXCEEDED, `This upload would take your images past your quota of ${quota} bytes`);
  }
}

// Bounded work: the image-work queue, decode timeouts and the variant budget.

export class ServiceBusyError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(ErrorCode.SERVICE_BUSY, `Too much image work is waiting; retry in ${retryAfterSeconds} seconds`, {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

export class ImageTooComplexError extends AppError {
  constructor(detail = 'The image takes too long to decode or transform', cause?: unknown) {
    super(ErrorCode.IMAGE_TOO_COMPLEX, detail, { cause });
  }
}

export class TransformRateLimitedError extends AppError {
  constructor(limit: number, retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, `At most ${limit} new variants a minute; retry in ${retryAfterSeconds} seconds`, {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

/** The client went away while its image work waited; nobody reads this answer. */
export class WorkCancelledError extends AppError {
  constructor() {
    super(ErrorCode.CLIENT_CLOSED_REQUEST, 'The client closed the request before its image work started');
  }
}

// Delivery: presets and crop positions (400s that name the parameter).

export class DeliveryParamError extends ValidationFailedError {
  constructor(field: string, message: string) {
    super(`${field} ${message}`, [{ field, message }]);
  }
}

export class UnknownPresetError extends DeliveryParamError {
  constructor(name: string, known: string[]) {
    super('preset', `'${name}' is not a configured preset${known.length ? ` (one of ${known.join(', ')})` : ' (none are configured)'}`);
  }
}

export class PresetsOnlyError extends ValidationFailedError {
  constructor(fields: string[]) {
    const message = 'is not accepted: only preset is (TRANSFORM_PRESETS_ONLY=true)';
    super(
      fields.map((f) => `${f} ${message}`).join('; '),
      fields.map((field) => ({ field, message })),
    );
  }
}

export class PositionWithoutCropError extends DeliveryParamError {
  constructor(fit: string) {
    super('position', `applies to fit=cover (and contain), not fit=${fit}`);
  }
}
