import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ImageWorkScheduler } from './image-work-scheduler';

/** How long image work must have been idle before the heap is collected. */
export const IDLE_COLLECT_AFTER_MS = 2_000;

/**
 * V8 sizes the old generation's next limit by a factor it derives from recent collection and
 * allocation speeds. After a full collection in an idle process that factor falls to its floor: the
 * limit sits just one young generation above the live heap, which is where V8 starts incremental
 * marking again. Under the next burst of uploads each major collection then left the same room, and
 * the process ran ~10 major collections a second (a third of the main thread; a 200 MB upload 30 %
 * slower) from then on, until it restarted (the tus benchmark found it; `--trace-gc` showed it).
 * A fixed factor of 2.5 (about what V8 picks by itself under load) keeps the headroom.
 */
export const HEAP_GROWING_PERCENT = 150;

export type FullGc = (options?: { type: 'major'; execution: 'async' }) => Promise<void> | void;
/** Injection token for another collector than V8's own (tests). */
export const FULL_GC = Symbol('FULL_GC');

/**
 * Gives memory back after a burst of image work. The JavaScript side of a burst (request objects,
 * the Buffers that carried uploads and variants, whose bytes live outside the heap) is garbage once
 * the burst ends, but an idle process allocates nothing and so never collects it: the hostile-
 * neighbour benchmark found 70 MB of old space and 30 MB of Buffers still held 30 s later. Once the
 * scheduler has had no work for IDLE_COLLECT_AFTER_MS, one major collection runs (as a V8 task, off
 * any request's path); a burst that keeps going is never interrupted by it.
 */
@Injectable()
export class IdleHeapCollector implements OnModuleDestroy {
  private readonly logger = new Logger(IdleHeapCollector.name);
  private timer?: NodeJS.Timeout;
  private readonly gc: FullGc | null;

  constructor(
    private readonly scheduler: ImageWorkScheduler,
    @Optional() @Inject(FULL_GC) gc?: FullGc,
  ) {
    this.gc = gc ?? exposeGc();
    if (this.gc) scheduler.onDuration(() => this.arm());
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
  }

  /** After each job: when it left the scheduler idle, a collection is due unless more work comes. */
  private arm(): void {
    const { running, queued, completed } = this.scheduler.stats();
    if (running || queued) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.collectIfStillIdle(completed), IDLE_COLLECT_AFTER_MS);
    this.timer.unref();
  }

  private collectIfStillIdle(completedWhenArmed: number): void {
    const { running, queued, completed } = this.scheduler.stats();
    if (running || queued || completed !== completedWhenArmed) return;
    Promise.resolve(this.gc!({ type: 'major', execution: 'async' })).catch((error: unknown) =>
      this.logger.warn(`idle collection failed: ${String(error)}`),
    );
  }
}

/**
 * V8's `gc()`, made available at run time (as jest's leak detector does), with the heap growth that
 * keeps collections after it rare; null where V8 refuses it.
 */
function exposeGc(): FullGc | null {
  try {
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    const existing = (globalThis as { gc?: FullGc }).gc;
    if (typeof existing === 'function') return existing;
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as FullGc) : null;
  } catch {
    return null;
  }
}
