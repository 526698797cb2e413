import { defineConfig } from '../../config/config-namespace';

export const TOKEN_ISSUER = 'image-api';
export const TOKEN_AUDIENCE = 'image-api';

export const authConfig = defineConfig('auth', (env) => ({
  jwtSecret: env.jwtSecretKey,
  jwtExpiresIn: env.jwtExpiresIn,
  refreshTokenExpiresIn: env.refreshTokenExpiresIn,
  issuer: TOKEN_ISSUER,
  audience: TOKEN_AUDIENCE,
  admin: env.admin,
  /** Failed logins of one e-mail + IP pair within the window before it is locked out. */
  loginMaxAttempts: env.loginMaxAttempts,
  loginWindowSeconds: env.loginWindow,
}));
