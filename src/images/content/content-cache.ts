import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Readable } from 'node:stream';
import { BoundedCache } from '../../common/bounded-cache';
import { MetricsService } from '../../metrics/metrics.service';
import { deliveryConfig } from '../config/delivery.config';
import { storageKeys } from '../storage-keys';

/** The largest object kept whole (a budget under 8 MB keeps objects up to an eighth of it); larger ones stream from storage. */
export const CONTENT_CACHE_MAX_OBJECT = 1024 * 1024;
/** An object nobody downloaded for this long leaves, so memory goes back after a burst. */
export const CONTENT_CACHE_TTL_MS = 60_000;

/**
 * The bytes of small stored objects (originals, variants) most recently downloaded, within
 * CONTENT_CACHE bytes (0 keeps none): least recently used first out, none kept past
 * CONTENT_CACHE_TTL_MS unused. A stored object never changes under its key (an original's key is
 * its image's id, a variant's is new for each computation), so what is kept is what storage holds;
 * who may read it is decided before, by the image's row (ImageRows, ≤ IMAGE_LOOKUP_TTL_MS on other
 * instances). Concurrent downloads of an object not kept yet share one read.
 */
@Injectable()
export class ContentCache implements OnModuleDestroy {
  private readonly cache: BoundedCache<Buffer>;

  constructor(@Inject(deliveryConfig.KEY) cfg: ConfigType<typeof deliveryConfig>, metrics: MetricsService) {
    const lookups = metrics.counter({
      name: 'image_content_cache_requests_total',
      help: 'Downloads of objects small enough to keep in memory (CONTENT_CACHE): hit (kept, or joined a read in flight) or miss (read from storage)',
      labelNames: ['result'],
    });
    this.cache = new BoundedCache({
      budget: cfg.contentCache,
      maxEntry: Math.min(CONTENT_CACHE_MAX_OBJECT, Math.floor(cfg.contentCache / 8)),
      ttlMs: CONTENT_CACHE_TTL_MS,
      sizeOf: (bytes) => bytes.length,
      onLookup: (outcome) => lookups.inc({ result: outcome === 'made' ? 'miss' : 'hit' }),
    });
    const cache = this.cache;
    metrics.gauge({
      name: 'image_content_cache_bytes',
      help: 'Bytes of stored objects kept in memory for downloads (CONTENT_CACHE)',
      collect() {
        this.set(cache.size);
      },
    });
  }

  /**
   * The whole object under `key`, `size` bytes as its row says: kept, or read with `open` (and kept).
   * Undefined for an object too large to keep: stream it from storage instead.
   */
  bytes(key: string, size: number, open: () => Promise<Readable>): Promise<Buffer> | undefined {
    if (!this.cache.fits(size)) return undefined;
    return this.cache.get(key, async () => readWhole(await open(), key, size));
  }

  /** Lets go of an image's original and variants at once (the image was deleted through this instance). */
  forgetImage(imageId: string): void {
    const original = storageKeys.original(imageId);
    const variants = storageKeys.variantsOf(imageId);
    this.cache.forgetWhere((key) => key === original || key.startsWith(variants));
  }

  /** Bytes held now (for tests and metrics). */
  get size(): number {
    return this.cache.size;
  }

  onModuleDestroy(): void {
    this.cache.clear();
  }
}

/** Reads a stream to its end; an object whose length is not its row's is a fault of the store, never served. */
async function readWhole(stream: Readable, key: string, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    length += chunk.length;
    if (length > size) break;
  }
  stream.destroy();
  if (length !== size)
    throw new Error(`stored object ${key} holds ${length > size ? 'more than ' : ''}${length} bytes; its row says ${size}`);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
}
