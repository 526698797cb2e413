import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service';

/** Derived-image cache figures: a hit served a stored variant, a miss waited for one to be computed. */
@Injectable()
export class VariantMetrics {
  private readonly requests: Counter<'result'>;
  private readonly evictions: Counter;
  private readonly sourceDecodes: Counter<'result'>;

  constructor(private readonly metrics: MetricsService) {
    this.requests = metrics.counter({
      name: 'image_variant_requests_total',
      help: 'Derived-image lookups: hit (stored, or computed and being stored) or miss (computed now); concurrent requests for one variant share a lookup',
      labelNames: ['result'],
    });
    this.evictions = metrics.counter({ name: 'image_variant_evictions_total', help: 'Stored variants removed to stay within the budget' });
    this.sourceDecodes = metrics.counter({
      name: 'image_variant_source_decodes_total',
      help: 'Reduced decodes of JPEG originals for variants: made, or shared (kept from an earlier variant, or joined while being made)',
      labelNames: ['result'],
    });
  }

  sourceDecode(result: 'made' | 'shared'): void {
    this.sourceDecodes.inc({ result });
  }

  /** Reports `bytes()` at each scrape as the memory held by kept decodes (VARIANT_SOURCE_CACHE). */
  watchSourceCache(bytes: () => number): void {
    this.metrics.gauge({
      name: 'image_variant_source_cache_bytes',
      help: 'Bytes of decoded originals kept for the variants computed from them',
      collect() {
        this.set(bytes());
      },
    });
  }

  hit(): void {
    this.requests.inc({ result: 'hit' });
  }

  miss(): void {
    this.requests.inc({ result: 'miss' });
  }

  evicted(count = 1): void {
    this.evictions.inc(count);
  }
}
