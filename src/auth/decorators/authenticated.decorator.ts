import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiProblems } from '../../common/decorators/api-problems.decorator';

/**
 * The route needs a bearer token (the global guard enforces it); this keeps the spec in step:
 * the bearer scheme and the 401 are documented wherever the guard applies.
 */
export function Authenticated(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiBearerAuth('bearer'), ApiProblems(401));
}
