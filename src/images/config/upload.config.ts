import { defineConfig } from '../../config/config-namespace';

export const uploadConfig = defineConfig('upload', (env) => ({
  allowedExtensions: env.allowedExtensions,
  maxContentLength: env.maxContentLength,
  maxImagePixels: env.maxImagePixels,
  /** Header limits checked before any pixel is decoded. */
  maxImageSide: env.maxImageSide,
  maxDecodeMemory: env.maxDecodeMemory,
  /** Bytes of originals one user may keep; null is unlimited. */
  userQuotaBytes: env.userQuotaBytes || null,
}));
