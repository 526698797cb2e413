import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Counter, CounterConfiguration, Gauge, GaugeConfiguration, Histogram, HistogramConfiguration, Registry } from 'prom-client';

type Named = { name: string };

/**
 * The app's one prom-client registry (never the library's global one: two apps in one process,
 * as in the tests, keep their figures apart). Modules declare their metrics through it, in their
 * own folder; declaring a name twice returns the first declaration.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();

  counter<T extends string>(config: CounterConfiguration<T>): Counter<T> {
    return this.existing<Counter<T>>(config) ?? new Counter({ ...config, registers: [this.registry] });
  }

  gauge<T extends string>(config: GaugeConfiguration<T>): Gauge<T> {
    return this.existing<Gauge<T>>(config) ?? new Gauge({ ...config, registers: [this.registry] });
  }

  histogram<T extends string>(config: HistogramConfiguration<T>): Histogram<T> {
    return this.existing<Histogram<T>>(config) ?? new Histogram({ ...config, registers: [this.registry] });
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }

  private existing<M>(config: Named): M | undefined {
    return this.registry.getSingleMetric(config.name) as M | undefined;
  }
}
