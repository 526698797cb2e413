import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { titleOf } from '../filters/problem-details';
import { ProblemDetailsDto } from '../dto/problem-details.dto';

const HEADERS: Record<number, Record<string, { description: string; schema: { type: 'string' | 'integer' } }>> = {
  401: { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } } },
  416: { 'Content-Range': { description: 'bytes */{size}', schema: { type: 'string' } } },
  429: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
};

/** Documents error statuses with the problem-details schema, as `application/problem+json`. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: titleOf(status),
        headers: HEADERS[status],
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
      }),
    ),
  );
}
