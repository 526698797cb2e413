import { defineConfig } from './config-namespace';

/** The per-IP budget of the rate-limited routes (the login lockout is auth's). */
export const throttleConfig = defineConfig('throttle', (env) => ({
  authRateLimit: env.authRateLimit,
}));
