import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-codes';
import { titleOf } from '../filters/problem-details';
import { ProblemDetailsDto } from '../dto/problem-details.dto';
import { SUPPORTED_EXTENSIONS } from '../../images/formats';

const HEADERS: Record<number, Record<string, { description: string; schema: { type: 'string' | 'integer' } }>> = {
  401: { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } } },
  416: { 'Content-Range': { description: 'bytes */{size}', schema: { type: 'string' } } },
  429: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
  503: {
    'Retry-After': {
      description: 'Seconds to wait (sent when the image-work queue is full or a dependency is down)',
      schema: { type: 'integer' },
    },
  },
};

/** A typical code and detail per status, so each documented error shows its own example body. */
const EXAMPLES: Record<number, [ErrorCode, string]> = {
  400: [ErrorCode.VALIDATION_FAILED, 'The request has invalid fields'],
  401: [ErrorCode.UNAUTHORIZED, 'A valid bearer token is required'],
  403: [ErrorCode.FORBIDDEN, 'Your role does not allow this'],
  404: [ErrorCode.IMAGE_NOT_FOUND, 'No such image'],
  409: [ErrorCode.EMAIL_TAKEN, 'That e-mail is already registered'],
  413: [ErrorCode.FILE_TOO_LARGE, 'The file is larger than 5 MB'],
  415: [ErrorCode.UNSUPPORTED_FILE_TYPE, `'.exe' files are not accepted; allowed: ${SUPPORTED_EXTENSIONS.join(', ')}`],
  416: [ErrorCode.RANGE_NOT_SATISFIABLE, 'The range is outside the content'],
  422: [ErrorCode.IMAGE_CORRUPT, 'The image could not be decoded'],
  429: [ErrorCode.RATE_LIMITED, 'Too many requests; retry later'],
  500: [ErrorCode.INTERNAL_ERROR, 'The server could not complete the request'],
  503: [ErrorCode.SERVICE_UNAVAILABLE, 'The service is temporarily unavailable'],
};

function exampleOf(status: number): Record<string, unknown> | undefined {
  const [code, detail] = EXAMPLES[status] ?? [];
  if (!code) return undefined;
  const example: Record<string, unknown> = { type: 'about:blank', title: titleOf(status), status, detail, instance: '/images', code };
  example.requestId = '6f1c2b1e-3d4a-4b8e-9a51-0c2d7e9f1a23';
  if (status === 400) example.errors = [{ field: 'limit', message: 'limit must not be greater than 100' }];
  return example;
}

/** Documents error statuses with the problem-details schema, as `application/problem+json`. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: titleOf(status),
        headers: HEADERS[status],
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) }, example: exampleOf(status) } },
      }),
    ),
  );
}
