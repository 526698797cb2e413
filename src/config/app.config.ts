import { registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

export const appConfig = registerAs('app', () => {
  const env = parseEnv();
  return {
    nodeEnv: env.nodeEnv,
    port: env.port,
    logLevel: env.logLevel,
    corsOrigins: env.corsOrigins,
    shutdownTimeoutMs: env.shutdownTimeout * 1000,
    headersTimeoutMs: env.headersTimeout * 1000,
    requestTimeoutMs: env.requestTimeout * 1000,
    warnings: env.warnings,
  };
});
