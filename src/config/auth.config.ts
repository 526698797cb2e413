import { registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

export const TOKEN_ISSUER = 'image-api';
export const TOKEN_AUDIENCE = 'image-api';

export const authConfig = registerAs('auth', () => {
  const env = parseEnv();
  return {
    jwtSecret: env.jwtSecretKey,
    jwtExpiresIn: env.jwtExpiresIn,
    refreshTokenExpiresIn: env.refreshTokenExpiresIn,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    admin: env.admin,
  };
});
