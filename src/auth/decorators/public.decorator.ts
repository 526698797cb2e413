import { SetMetadata, applyDecorators } from '@nestjs/common';
import { DECORATORS, type SecurityRequirementObject } from '@nestjs/swagger';

export const AUTH_MODE_KEY = 'authMode';
export type AuthMode = 'public' | 'optional';

/** The route needs no bearer token; the spec says so with an empty security requirement. */
export const Public = () => applyDecorators(SetMetadata(AUTH_MODE_KEY, 'public' satisfies AuthMode), ApiSecurityRequirements([]));

/**
 * A bearer token is read when present (and must then be valid), but the route also serves without
 * one; in the spec: the bearer scheme or nothing (`{}`).
 */
export const OptionalAuth = () =>
  applyDecorators(SetMetadata(AUTH_MODE_KEY, 'optional' satisfies AuthMode), ApiSecurityRequirements([{ bearer: [] }, {}]));

/**
 * Sets the operation's `security` exactly. @ApiSecurity can only add requirements, and
 * @ApiOperation would reset the summary, so this merges into the operation metadata by hand.
 */
function ApiSecurityRequirements(security: SecurityRequirementObject[]): MethodDecorator & ClassDecorator {
  const apply = (method: object) =>
    Reflect.defineMetadata(DECORATORS.API_OPERATION, { ...Reflect.getMetadata(DECORATORS.API_OPERATION, method), security }, method);
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) return apply(descriptor.value);
    const prototype = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name !== 'constructor' && typeof prototype[name] === 'function') apply(prototype[name] as object);
    }
  };
}
