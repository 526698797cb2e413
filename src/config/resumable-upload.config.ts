import { registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

/** tus uploads on /uploads: how long an unfinished one is kept. */
export const resumableUploadConfig = registerAs('resumableUpload', () => {
  const env = parseEnv();
  return { expiryMs: env.resumableUploadExpiry * 1000 };
});
