import { registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

export const uploadConfig = registerAs('upload', () => {
  const env = parseEnv();
  return {
    allowedExtensions: env.allowedExtensions,
    maxContentLength: env.maxContentLength,
    maxImagePixels: env.maxImagePixels,
    /** Signs links to content (HMAC-SHA256). */
    secretKey: env.secretKey,
  };
});
