import { Injectable } from '@nestjs/common';
import { HttpMetrics } from '../../metrics/http-metrics';
import { MetricsService } from '../../metrics/metrics.service';

/** The upload routes, as `METHOD /template`: each request to them counts once by outcome. */
const UPLOAD_ROUTES = ['POST /images', 'POST /upload'];

/** `image_uploads_total{code}`: `created`, the problem code of a refusal, or CLIENT_ABORTED. */
@Injectable()
export class UploadMetrics {
  constructor(metrics: MetricsService, http: HttpMetrics) {
    const uploads = metrics.counter({
      name: 'image_uploads_total',
      help: 'Upload requests by outcome: created, the problem code of a refusal, or CLIENT_ABORTED',
      labelNames: ['code'],
    });
    http.countOutcomes(uploads, UPLOAD_ROUTES, 'created');
  }
}
