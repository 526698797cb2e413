import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service';

/** Derived-image cache figures: a hit served a stored variant, a miss waited for one to be computed. */
@Injectable()
export class VariantMetrics {
  private readonly requests: Counter<'result'>;
  private readonly evictions: Counter;

  constructor(metrics: MetricsService) {
    this.requests = metrics.counter({
      name: 'image_variant_requests_total',
      help: 'Derived-image lookups: hit (stored, or computed and being stored) or miss (computed now); concurrent requests for one variant share a lookup',
      labelNames: ['result'],
    });
    this.evictions = metrics.counter({ name: 'image_variant_evictions_total', help: 'Stored variants removed to stay within the budget' });
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
