import { Inject, Injectable, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { performance } from 'node:perf_hooks';
import { AppError, ErrorCode } from '../../common/errors';
import { ImageWorkMetrics } from '../../metrics/image-work.metrics';
import { imageWorkConfig } from '../config/image-work.config';
import { ImageTooComplexError, ServiceBusyError, WorkCancelledError } from '../images.errors';
import { configureSharp } from './sharp-settings';

export interface ImageWorkStats {
  running: number;
  queued: number;
  /** Jobs refused with SERVICE_BUSY since start. */
  rejected: number;
  /** Jobs finished (successfully or not) since start. */
  completed: number;
}

/** Called when a job ends, for metrics: its label, how long it ran (not waited), and whether it threw. */
export type WorkDurationHook = (label: string, seconds: number, failed: boolean) => void;

export interface RunOptions {
  /** Aborting it removes the job while it still waits (a client that went away); running jobs finish. */
  signal?: AbortSignal;
}

interface Waiting {
  start(): void;
}

/** Retry-After bounds, in seconds. */
const MIN_RETRY = 1;
const MAX_RETRY = 60;

/**
 * Admission for all image work (decodes, variants, metadata): at most `maxConcurrent` jobs run, at
 * most `maxQueued` wait, the rest get SERVICE_BUSY. Waiting jobs are kept per user and the next slot
 * goes to the waiting user served least recently, so one user's backlog never stands in front of
 * another user's first job.
 */
@Injectable()
export class ImageWorkScheduler {
  private running = 0;
  private queued = 0;
  private rejected = 0;
  private completed = 0;
  /** Users with waiting jobs, in order of arrival; each with its own FIFO. */
  private readonly queues = new Map<string, Waiting[]>();
  /** Per user with running or waiting work: how many run, and the tick of its latest start. */
  private readonly users = new Map<string, { running: number; servedAt: number }>();
  private tick = 0;
  /** Moving average of job run time, for Retry-After. */
  private averageSeconds = 1;
  private readonly hooks: WorkDurationHook[] = [];
  private readonly maxConcurrent: number;
  private readonly maxQueued: number;

  constructor(
    @Inject(imageWorkConfig.KEY) cfg: Pick<ConfigType<typeof imageWorkConfig>, 'maxConcurrent' | 'maxQueued'>,
    @Optional() private readonly metrics?: ImageWorkMetrics,
  ) {
    this.maxConcurrent = cfg.maxConcurrent;
    this.maxQueued = cfg.maxQueued;
    configureSharp(this.maxConcurrent);
    // The gauges read these at each scrape.
    const self = () => this.stats();
    metrics?.track({
      get running() {
        return self().running;
      },
      get queued() {
        return self().queued;
      },
    });
    this.onDuration((label, seconds) => metrics?.observeDuration(label, seconds));
  }

  /** Runs `task` when a slot is free (for `userId`, fairly); SERVICE_BUSY when the queue is full. */
  run<T>(userId: string, label: string, task: () => Promise<T>, options: RunOptions = {}): Promise<T> {
    if (options.signal?.aborted) return Promise.reject(new WorkCancelledError());
    if (this.running < this.maxConcurrent && this.queued === 0) return this.start(userId, label, task);
    if (this.queued >= this.maxQueued) {
      this.rejected += 1;
      this.metrics?.rejected('queue_full');
      return Promise.reject(new ServiceBusyError(this.retryAfterSeconds()));
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (this.remove(userId, waiting)) reject(new WorkCancelledError());
      };
      const waiting: Waiting = {
        start: () => {
          options.signal?.removeEventListener('abort', onAbort);
          this.start(userId, label, task).then(resolve, reject);
        },
      };
      this.enqueue(userId, waiting);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  stats(): ImageWorkStats {
    return { running: this.running, queued: this.queued, rejected: this.rejected, completed: this.completed };
  }

  /** Registers a listener for job durations (a metrics module's histogram). */
  onDuration(hook: WorkDurationHook): void {
    this.hooks.push(hook);
  }

  private async start<T>(userId: string, label: string, task: () => Promise<T>): Promise<T> {
    this.running += 1;
    const user = this.userState(userId);
    user.running += 1;
    user.servedAt = ++this.tick;
    const startedAt = performance.now();
    let failed = false;
    try {
      return await task();
    } catch (error) {
      failed = true;
      if (error instanceof AppError && error.code === ErrorCode.IMAGE_TOO_COMPLEX) {
        this.metrics?.rejected(error instanceof ImageTooComplexError ? 'timeout' : 'too_complex');
      }
      throw error;
    } finally {
      this.finish(userId, label, (performance.now() - startedAt) / 1000, failed);
    }
  }

  private finish(userId: string, label: string, seconds: number, failed: boolean): void {
    this.running -= 1;
    this.completed += 1;
    this.averageSeconds = this.averageSeconds * 0.8 + seconds * 0.2;
    const user = this.userState(userId);
    user.running -= 1;
    this.forgetIfIdle(userId);
    for (const hook of this.hooks) hook(label, seconds, failed);
    this.startNext();
  }

  private startNext(): void {
    while (this.running < this.maxConcurrent && this.queued > 0) {
      const userId = this.leastRecentlyServed();
      const queue = this.queues.get(userId)!;
      const next = queue.shift()!;
      if (!queue.length) this.queues.delete(userId);
      this.queued -= 1;
      next.start();
    }
  }

  /** The waiting user whose latest job started longest ago; a user with nothing running yet comes first. */
  private leastRecentlyServed(): string {
    let best = '';
    let bestTick = Infinity;
    for (const userId of this.queues.keys()) {
      const servedAt = this.users.get(userId)?.servedAt ?? 0;
      if (servedAt < bestTick) {
        best = userId;
        bestTick = servedAt;
      }
    }
    return best;
  }

  private enqueue(userId: string, waiting: Waiting): void {
    this.userState(userId);
    const queue = this.queues.get(userId);
    if (queue) queue.push(waiting);
    else this.queues.set(userId, [waiting]);
    this.queued += 1;
  }

  private remove(userId: string, waiting: Waiting): boolean {
    const queue = this.queues.get(userId);
    const index = queue?.indexOf(waiting) ?? -1;
    if (!queue || index < 0) return false;
    queue.splice(index, 1);
    if (!queue.length) this.queues.delete(userId);
    this.queued -= 1;
    this.forgetIfIdle(userId);
    return true;
  }

  private userState(userId: string): { running: number; servedAt: number } {
    let user = this.users.get(userId);
    if (!user) {
      user = { running: 0, servedAt: 0 };
      this.users.set(userId, user);
    }
    return user;
  }

  private forgetIfIdle(userId: string): void {
    if (!this.users.get(userId)?.running && !this.queues.has(userId)) this.users.delete(userId);
  }

  /** Roughly when a slot frees for one more job: the queue's length times the average run time, per slot. */
  private retryAfterSeconds(): number {
    const estimate = Math.ceil((this.averageSeconds * (this.queued + 1)) / this.maxConcurrent);
    return Math.min(MAX_RETRY, Math.max(MIN_RETRY, estimate));
  }
}
