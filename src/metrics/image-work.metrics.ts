import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from './metrics.service';

/** What the image-work scheduler shows of itself; read at each scrape, so it only keeps plain numbers. */
export interface ImageWorkState {
  /** Tasks holding a slot now. */
  readonly running: number;
  /** Tasks admitted and waiting for a slot. */
  readonly queued: number;
}

/** Why a task was refused; a fixed word, so the label stays bounded. */
export type ImageWorkRejection = 'queue_full' | 'too_complex' | 'timeout';

const IDLE: ImageWorkState = { running: 0, queued: 0 };

/**
 * The image-work metrics (decodes, transforms): the scheduler calls `track(itself)` once, then
 * `rejected(reason)` and `observeDuration(kind, seconds)` as work is refused or finishes.
 */
@Injectable()
export class ImageWorkMetrics {
  private state: ImageWorkState = IDLE;
  private readonly rejections: Counter<'reason'>;
  private readonly duration: Histogram<'kind'>;

  constructor(metrics: MetricsService) {
    const read = (key: keyof ImageWorkState) => () => this.state[key];
    metrics.gauge({
      name: 'image_work_running',
      help: 'Image tasks (decodes, transforms) running now',
      collect: gaugeOf(read('running')),
    });
    metrics.gauge({
      name: 'image_work_queued',
      help: 'Image tasks waiting for a slot (the queue depth)',
      collect: gaugeOf(read('queued')),
    });
    this.rejections = metrics.counter({
      name: 'image_work_rejected_total',
      help: 'Image tasks refused (queue full, too complex, timed out), by reason',
      labelNames: ['reason'],
    });
    this.duration = metrics.histogram({
      name: 'image_work_duration_seconds',
      help: 'Time an image task ran, from getting its slot to finishing, by kind',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
  }

  /** The scheduler whose numbers the gauges show (the last one registered wins). */
  track(state: ImageWorkState): void {
    this.state = state;
  }

  rejected(reason: ImageWorkRejection): void {
    this.rejections.inc({ reason });
  }

  /** `kind` is a fixed word such as `decode` or `transform`. */
  observeDuration(kind: string, seconds: number): void {
    this.duration.observe({ kind }, seconds);
  }
}

/** A gauge's collect hook, which prom-client calls with the gauge as `this` before each scrape. */
function gaugeOf(value: () => number) {
  return function (this: { set(value: number): void }): void {
    this.set(value());
  };
}
