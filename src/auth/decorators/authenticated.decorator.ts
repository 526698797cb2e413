import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiProblems } from '../../common/decorators/api-problems.decorator';
import { Role } from '../../users/user.entity';
import { Roles } from './roles.decorator';

/**
 * The route needs a bearer token (the global guard enforces it); this keeps the spec in step:
 * the bearer scheme and the 401 are documented wherever the guard applies.
 */
export function Authenticated(...roles: Role[]): MethodDecorator & ClassDecorator {
  const decorators = [ApiBearerAuth('bearer'), ApiProblems(401)];
  if (roles.length) decorators.push(Roles(...roles), ApiProblems(403));
  return applyDecorators(...decorators);
}
