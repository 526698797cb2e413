import { registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

/** How content is delivered: named presets, whether only they are served, and animation's frame bound. */
export const deliveryConfig = registerAs('delivery', () => {
  const env = parseEnv();
  return {
    presets: env.delivery.presets,
    presetsOnly: env.delivery.presetsOnly,
    maxAnimationFrames: env.delivery.maxAnimationFrames,
  };
});
