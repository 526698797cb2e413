import { Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { collectDefaultMetrics } from 'prom-client';
import { metricsConfig } from './config/metrics.config';
import { HttpMetrics } from './http-metrics';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { ImageWorkMetrics } from './image-work.metrics';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/**
 * One prom-client registry for the app and GET /metrics. Global: any module declares its own
 * metrics through MetricsService (or HttpMetrics for per-route outcomes) in its own folder.
 * Requests are timed by HttpMetricsMiddleware, which AppMiddleware runs when metrics are enabled.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, HttpMetrics, HttpMetricsMiddleware, ImageWorkMetrics, MetricsAccessGuard],
  exports: [MetricsService, HttpMetrics, HttpMetricsMiddleware, ImageWorkMetrics],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    @Inject(metricsConfig.KEY) private readonly cfg: ConfigType<typeof metricsConfig>,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    if (this.cfg.enabled) collectDefaultMetrics({ register: this.metrics.registry });
  }
}
