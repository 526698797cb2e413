import { registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

export const metricsConfig = registerAs('metrics', () => {
  const env = parseEnv();
  return {
    /** false: /metrics is a 404 and requests are not measured. */
    enabled: env.metricsEnabled,
    /** When set, a scrape needs `Authorization: Bearer <token>`. */
    token: env.metricsToken,
  };
});
