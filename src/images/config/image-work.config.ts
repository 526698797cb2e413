import { defineConfig } from '../../config/config-namespace';

/** Limits on image work (decodes, variants): the scheduler's, the timeouts, and the variant budget. */
export const imageWorkConfig = defineConfig('imageWork', (env) => ({
  maxConcurrent: env.maxConcurrentTransforms,
  maxQueued: env.imageWork.maxQueued,
  decodeTimeoutSeconds: env.imageWork.decodeTimeout,
  maxVariantsPerImage: env.imageWork.maxVariantsPerImage,
  /** New variants a user may cause per minute. */
  transformRateLimit: env.imageWork.transformRateLimit,
  /** Bytes of decoded originals kept for the variants computed from them (0: none). */
  variantSourceCache: env.imageWork.variantSourceCache,
}));
