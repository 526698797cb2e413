import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { deliveryConfig } from '../config/delivery.config';
import { formatOfMimeType } from '../formats';
import { PositionWithoutCropError, PresetsOnlyError, UnknownPresetError } from '../images.errors';
import { DEFAULT_FIT, RequestedParams, TransformParams, pickTransformParams, requestsNothing } from '../variants/transform-params';
import { negotiateFormat } from './format-negotiation';

/** What to compute for one request: concrete parameters, and whether they depend on `Accept`. */
export interface DeliveryPlan {
  params: TransformParams;
  /** `format=auto` was negotiated: the answer varies with `Accept`. */
  negotiated: boolean;
}

const FREE_PARAMETERS = ['w', 'h', 'fit', 'format', 'q', 'position'] as const;
/** The plan of a request without parameters: the original as stored. */
const ORIGINAL: DeliveryPlan = Object.freeze({ params: Object.freeze({}), negotiated: false });
/** `position` chooses what a crop keeps; contain crops nothing but may name it harmlessly. */
const POSITIONED_FITS: readonly string[] = ['cover', 'contain'];

/** Turns a request's parameters into what variants/ computes: presets expanded, rules checked, `format=auto` negotiated. */
@Injectable()
export class DeliveryPlanner {
  constructor(@Inject(deliveryConfig.KEY) private readonly cfg: ConfigType<typeof deliveryConfig>) {}

  /** The preset (if any) with the request's own parameters over it; 400s for an unknown preset, free parameters in presets-only mode, or a position without a crop. */
  expand(query: RequestedParams): RequestedParams {
    const requested = pickTransformParams(query);
    if (this.cfg.presetsOnly) {
      const free = FREE_PARAMETERS.filter((name) => requested[name] !== undefined);
      if (free.length) throw new PresetsOnlyError(free);
    }
    const { preset: name, ...explicit } = requested;
    const merged = { ...(name === undefined ? {} : this.preset(name)), ...explicit };
    const fit = merged.fit ?? DEFAULT_FIT;
    if (merged.position !== undefined && !POSITIONED_FITS.includes(fit)) throw new PositionWithoutCropError(fit);
    return merged;
  }

  /** `expand`, then `format=auto` resolved against `Accept` for an original of `originalMime`. */
  plan(query: RequestedParams, originalMime: string, accept: string | undefined): DeliveryPlan {
    // No parameter and no preset (most downloads): the original, as the steps below would conclude.
    if (requestsNothing(query)) return ORIGINAL;
    const { format, ...rest } = this.expand(query);
    if (format !== 'auto') return { params: { ...rest, format }, negotiated: false };
    const original = formatOfMimeType(originalMime)!.name;
    const negotiated = negotiateFormat(accept, original);
    // The original's own format is asked for as "no format" (so it can be the original itself).
    return {
      params: { ...rest, format: negotiated === original ? undefined : (negotiated as TransformParams['format']) },
      negotiated: true,
    };
  }

  /** Configured preset names, for the OpenAPI document. */
  presetNames(): string[] {
    return Object.keys(this.cfg.presets);
  }

  private preset(name: string): RequestedParams {
    const preset = Object.prototype.hasOwnProperty.call(this.cfg.presets, name) ? this.cfg.presets[name] : undefined;
    if (!preset) throw new UnknownPresetError(name, this.presetNames());
    return preset;
  }
}
