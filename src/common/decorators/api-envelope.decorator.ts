import { Type, applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PageMetaDto } from '../dto/page-meta.dto';

interface EnvelopeOptions {
  status?: number;
  description?: string;
  headers?: Record<string, { description: string; schema: { type: 'string' } }>;
}

/** Documents a `{ data: T }` success body. */
export function ApiData(model: Type<unknown>, options: EnvelopeOptions = {}): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status: options.status ?? 200,
      description: options.description ?? 'OK',
      headers: options.headers,
      schema: {
        type: 'object',
        required: ['data'],
        properties: { data: { $ref: getSchemaPath(model) } },
      },
    }),
  );
}

/** Documents a `{ data: T[], meta }` list body. */
export function ApiPage(model: Type<unknown>): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(model, PageMetaDto),
    ApiResponse({
      status: 200,
      description: 'A page of results',
      schema: {
        type: 'object',
        required: ['data', 'meta'],
        properties: {
          data: { type: 'array', items: { $ref: getSchemaPath(model) } },
          meta: { $ref: getSchemaPath(PageMetaDto) },
        },
      },
    }),
  );
}
