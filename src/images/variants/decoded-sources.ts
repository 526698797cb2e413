import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { imageWorkConfig } from '../config/image-work.config';
import { BoundedCache } from '../../common/bounded-cache';
import { VariantMetrics } from './variant.metrics';

/** Raw 8-bit pixels of a decoded original, as sharp's `raw` input takes them. */
export interface DecodedSource {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** An entry nobody used for this long leaves: the variants of one page (srcset, format=auto) come within seconds. */
export const DECODED_SOURCE_TTL_MS = 10_000;

/**
 * Decoded originals shared by the variants computed from them (see intermediate.ts), within
 * VARIANT_SOURCE_CACHE bytes (0 keeps none): least recently used first out, none kept past
 * DECODED_SOURCE_TTL_MS unused, none larger than a quarter of the budget. Concurrent requests for
 * one decode wait for the same one. What is kept never changes a variant's bytes, only their cost.
 */
@Injectable()
export class DecodedSources implements OnModuleDestroy {
  private readonly cache: BoundedCache<DecodedSource>;

  constructor(@Inject(imageWorkConfig.KEY) cfg: ConfigType<typeof imageWorkConfig>, metrics: VariantMetrics) {
    this.cache = new BoundedCache({
      budget: cfg.variantSourceCache,
      maxEntry: cfg.variantSourceCache / 4,
      ttlMs: DECODED_SOURCE_TTL_MS,
      sizeOf: (source) => source.data.length,
      onLookup: (outcome) => metrics.sourceDecode(outcome === 'made' ? 'made' : 'shared'),
    });
    metrics.watchSourceCache(() => this.cache.size);
  }

  /** The decode kept under `key`, or the one being made for it, or a new one from `decode`. */
  get(key: string, decode: () => Promise<DecodedSource>): Promise<DecodedSource> {
    return this.cache.get(key, decode);
  }

  /** Drops every decode of the original stored under `sourceKey` (the image was deleted). */
  forget(sourceKey: string): void {
    this.cache.forgetWhere((key) => key.startsWith(`${sourceKey}@`));
  }

  /** Bytes held now (for tests and metrics). */
  get size(): number {
    return this.cache.size;
  }

  onModuleDestroy(): void {
    this.cache.clear();
  }
}
