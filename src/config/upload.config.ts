import { registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

export const uploadConfig = registerAs('upload', () => {
  const env = parseEnv();
  return {
    allowedExtensions: env.allowedExtensions,
    maxContentLength: env.maxContentLength,
    maxImagePixels: env.maxImagePixels,
    /** Header limits checked before any pixel is decoded. */
    maxImageSide: env.maxImageSide,
    maxDecodeMemory: env.maxDecodeMemory,
    /** Signs links to content (HMAC-SHA256). */
    secretKey: env.secretKey,
    /** Bytes of originals one user may keep; null is unlimited. */
    userQuotaBytes: env.userQuotaBytes || null,
  };
});
