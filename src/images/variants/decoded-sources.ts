import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { imageWorkConfig } from '../config/image-work.config';
import { VariantMetrics } from './variant.metrics';

/** Raw 8-bit pixels of a decoded original, as sharp's `raw` input takes them. */
export interface DecodedSource {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** An entry nobody used for this long leaves: the variants of one page (srcset, format=auto) come within seconds. */
export const DECODED_SOURCE_TTL_MS = 10_000;

interface Entry {
  source: DecodedSource;
  usedAt: number;
}

/**
 * Decoded originals shared by the variants computed from them (see intermediate.ts), within
 * VARIANT_SOURCE_CACHE bytes (0 keeps none): least recently used first out, none kept past
 * DECODED_SOURCE_TTL_MS unused, none larger than a quarter of the budget. Concurrent requests for
 * one decode wait for the same one. What is kept never changes a variant's bytes, only their cost.
 */
@Injectable()
export class DecodedSources implements OnModuleDestroy {
  /** In least recently used order (a Map keeps insertion order; a hit moves its entry to the end). */
  private readonly entries = new Map<string, Entry>();
  private readonly decoding = new Map<string, Promise<DecodedSource>>();
  private bytes = 0;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(imageWorkConfig.KEY) private readonly cfg: ConfigType<typeof imageWorkConfig>,
    private readonly metrics: VariantMetrics,
  ) {
    metrics.watchSourceCache(() => this.bytes);
  }

  /** The decode kept under `key`, or the one being made for it, or a new one from `decode`. */
  get(key: string, decode: () => Promise<DecodedSource>): Promise<DecodedSource> {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      entry.usedAt = Date.now();
      this.entries.set(key, entry);
      this.metrics.sourceDecode('shared');
      return Promise.resolve(entry.source);
    }
    let pending = this.decoding.get(key);
    this.metrics.sourceDecode(pending ? 'shared' : 'made');
    if (!pending) {
      pending = decode()
        .then((source) => {
          this.keep(key, source);
          return source;
        })
        .finally(() => this.decoding.delete(key));
      this.decoding.set(key, pending);
    }
    return pending;
  }

  /** Drops every decode of the original stored under `sourceKey` (the image was deleted). */
  forget(sourceKey: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(`${sourceKey}@`)) this.drop(key);
  }

  /** Bytes held now (for tests and metrics). */
  get size(): number {
    return this.bytes;
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    for (const key of [...this.entries.keys()]) this.drop(key);
  }

  private keep(key: string, source: DecodedSource): void {
    const budget = this.cfg.variantSourceCache;
    const size = source.data.length;
    if (size > budget / 4) return;
    this.sweep(Date.now());
    for (const oldest of this.entries.keys()) {
      if (this.bytes + size <= budget) break;
      this.drop(oldest);
    }
    this.entries.set(key, { source, usedAt: Date.now() });
    this.bytes += size;
    // Memory goes back after a burst even when no request comes to notice the expiry.
    this.sweeper ??= setInterval(() => this.sweep(Date.now()), DECODED_SOURCE_TTL_MS / 2).unref();
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) if (now - entry.usedAt > DECODED_SOURCE_TTL_MS) this.drop(key);
    if (!this.entries.size && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.source.data.length;
  }
}
