import { defineConfig } from '../../config/config-namespace';

export const linksConfig = defineConfig('links', (env) => ({
  /** Signs links to content (HMAC-SHA256). */
  secretKey: env.secretKey,
}));
