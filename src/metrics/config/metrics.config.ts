import { defineConfig } from '../../config/config-namespace';

export const metricsConfig = defineConfig('metrics', (env) => ({
  /** false: /metrics is a 404 and requests are not measured. */
  enabled: env.metricsEnabled,
  /** When set, a scrape needs `Authorization: Bearer <token>`. */
  token: env.metricsToken,
}));
