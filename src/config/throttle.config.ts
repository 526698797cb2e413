import { registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

export const throttleConfig = registerAs('throttle', () => {
  const env = parseEnv();
  return {
    loginMaxAttempts: env.loginMaxAttempts,
    loginWindowSeconds: env.loginWindow,
    authRateLimit: env.authRateLimit,
  };
});
