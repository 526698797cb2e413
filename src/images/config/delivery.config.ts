import { defineConfig } from '../../config/config-namespace';

/** How content is delivered: named presets, whether only they are served, and animation's frame bound. */
export const deliveryConfig = defineConfig('delivery', (env) => ({
  presets: env.delivery.presets,
  presetsOnly: env.delivery.presetsOnly,
  maxAnimationFrames: env.delivery.maxAnimationFrames,
}));
