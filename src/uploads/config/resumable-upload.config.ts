import { defineConfig } from '../../config/config-namespace';

/** tus uploads on /uploads: how long an unfinished one is kept. */
export const resumableUploadConfig = defineConfig('resumableUpload', (env) => ({ expiryMs: env.resumableUploadExpiry * 1000 }));
