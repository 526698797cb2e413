import { SetMetadata } from '@nestjs/common';

export const AUTH_MODE_KEY = 'authMode';
export type AuthMode = 'public' | 'optional';

/** The route needs no bearer token. */
export const Public = () => SetMetadata(AUTH_MODE_KEY, 'public' satisfies AuthMode);

/** A bearer token is read when present (and must then be valid), but the route also serves without one. */
export const OptionalAuth = () => SetMetadata(AUTH_MODE_KEY, 'optional' satisfies AuthMode);
