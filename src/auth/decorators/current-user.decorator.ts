import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { AuthUser } from '../auth-user';

/** The authenticated principal (undefined on an @OptionalAuth() route called without a token). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthUser | undefined => ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user,
);
