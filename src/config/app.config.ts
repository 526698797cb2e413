import { defineConfig } from './config-namespace';

export const appConfig = defineConfig('app', (env) => ({
  nodeEnv: env.nodeEnv,
  port: env.port,
  logLevel: env.logLevel,
  corsOrigins: env.corsOrigins,
  shutdownTimeoutMs: env.shutdownTimeout * 1000,
  headersTimeoutMs: env.headersTimeout * 1000,
  requestTimeoutMs: env.requestTimeout * 1000,
  memoryAllocator: env.memoryAllocator,
  warnings: env.warnings,
}));
