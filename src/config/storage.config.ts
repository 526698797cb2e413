import { registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

export const storageConfig = registerAs('storage', () => {
  const env = parseEnv();
  return { driver: env.storageDriver, uploadDir: env.uploadDir, s3: env.s3 };
});
