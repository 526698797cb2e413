import { defineConfig } from '../../config/config-namespace';

/** How content is delivered: named presets, whether only they are served, animation's frame bound, and the memory for hot bytes. */
export const deliveryConfig = defineConfig('delivery', (env) => ({
  presets: env.delivery.presets,
  presetsOnly: env.delivery.presetsOnly,
  maxAnimationFrames: env.delivery.maxAnimationFrames,
  /** Bytes of small stored objects (originals, variants) kept in memory for downloads (0: none). */
  contentCache: env.delivery.contentCache,
}));
