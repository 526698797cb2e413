import { defineConfig } from '../../config/config-namespace';

export const storageConfig = defineConfig('storage', (env) => ({
  driver: env.storageDriver,
  uploadDir: env.uploadDir,
  s3: env.s3,
}));
