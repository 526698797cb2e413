import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { HttpMetrics } from '../../metrics/http-metrics';
import { MetricsService } from '../../metrics/metrics.service';

/** The upload routes, as `METHOD /template`: each request to them counts once by outcome. */
const UPLOAD_ROUTES = ['POST /images', 'POST /upload'];

/** `image_uploads_total{code}`: `created`, the problem code of a refusal, or CLIENT_ABORTED. */
@Injectable()
export class UploadMetrics {
  private readonly uploads: Counter<'code'>;

  constructor(metrics: MetricsService, http: HttpMetrics) {
    this.uploads = metrics.counter({
      name: 'image_uploads_total',
      help: 'Upload requests by outcome: created, the problem code of a refusal, or CLIENT_ABORTED',
      labelNames: ['code'],
    });
    http.countOutcomes(this.uploads, UPLOAD_ROUTES, 'created');
  }

  /** For uploads that end outside one request (a resumable upload's last PATCH): `created` or the problem code. */
  record(code: string): void {
    this.uploads.inc({ code });
  }
}
