import { availableParallelism } from 'node:os';
import sharp from 'sharp';

/**
 * libvips settings for bounded work. Each sharp job holds one libuv thread and runs libvips' own
 * worker threads (`concurrency`) for its pixels; with MAX_CONCURRENT_IMAGE_WORK jobs at once, more
 * than CPU count / jobs threads each only contend for the same cores (and, per thread, for memory).
 * Each variant is decoded once and then stored, so libvips' operation cache would only cost memory.
 */
export function configureSharp(maxConcurrentJobs: number): void {
  sharp.cache(false);
  sharp.concurrency(Math.max(1, Math.floor(availableParallelism() / maxConcurrentJobs)));
}
