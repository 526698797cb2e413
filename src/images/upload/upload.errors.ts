import { HttpStatus } from '@nestjs/common';
import { AppException, ErrorCode } from '../../common/errors';

export const uploadError = {
  fileRequired: (detail = "A file is required in the multipart field 'file'") =>
    new AppException(HttpStatus.BAD_REQUEST, ErrorCode.FILE_REQUIRED, detail),
  emptyFile: () => new AppException(HttpStatus.BAD_REQUEST, ErrorCode.EMPTY_FILE, 'The uploaded file is empty'),
  tooManyFiles: () => new AppException(HttpStatus.BAD_REQUEST, ErrorCode.TOO_MANY_FILES, 'Send exactly one file per request'),
  malformed: (detail: string) => new AppException(HttpStatus.BAD_REQUEST, ErrorCode.MALFORMED_MULTIPART, detail),
  tooLarge: (limit: number) =>
    new AppException(HttpStatus.PAYLOAD_TOO_LARGE, ErrorCode.FILE_TOO_LARGE, `The file is larger than the limit of ${limit} bytes`),
  fieldTooLarge: (limit: number) =>
    new AppException(HttpStatus.PAYLOAD_TOO_LARGE, ErrorCode.PAYLOAD_TOO_LARGE, `A text field of the multipart body is larger than ${limit} bytes`),
  unsupported: (detail: string) => new AppException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ErrorCode.UNSUPPORTED_FILE_TYPE, detail),
  mismatch: (detail: string) => new AppException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ErrorCode.CONTENT_TYPE_MISMATCH, detail),
  corrupt: (detail = 'The file is not a decodable image (truncated or corrupt)') =>
    new AppException(HttpStatus.UNPROCESSABLE_ENTITY, ErrorCode.IMAGE_CORRUPT, detail),
  tooManyPixels: (width: number, height: number, limit: number) =>
    new AppException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      ErrorCode.IMAGE_DIMENSIONS_TOO_LARGE,
      `The image is ${width}×${height} = ${width * height} pixels; the limit is ${limit}`,
    ),
};
