/** Where a value came from: kept from before, shared with a load already running, or made by this call. */
export type CacheOutcome = 'kept' | 'shared' | 'made';

export interface BoundedCacheOptions<T> {
  /** What all kept values may weigh together (`sizeOf`); 0 keeps none. */
  budget: number;
  /** The heaviest value kept; a heavier one is handed out but not kept. */
  maxEntry: number;
  /** A value nobody asked for this long leaves, whether or not a request comes to notice. */
  ttlMs: number;
  sizeOf(value: T): number;
  /** Told of every `get` (for metrics). */
  onLookup?(outcome: CacheOutcome): void;
}

interface Entry<T> {
  value: T;
  size: number;
  usedAt: number;
}

/**
 * Values by key within a weight budget: least recently used first out, none kept past `ttlMs`
 * unused, none heavier than `maxEntry`. Concurrent `get`s of one key share one load; a failed
 * load is not kept. For values that never change under their key (what is kept only saves work).
 */
export class BoundedCache<T> {
  /** In least recently used order (a Map keeps insertion order; a hit moves its entry to the end). */
  private readonly entries = new Map<string, Entry<T>>();
  private readonly loading = new Map<string, Promise<T>>();
  private weight = 0;
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly options: BoundedCacheOptions<T>) {}

  /** Whether a value of `size` could be kept at all. */
  fits(size: number): boolean {
    return size <= this.options.maxEntry && size <= this.options.budget;
  }

  /** The value kept under `key`, if any (counted as used); no load, no lookup reported. */
  peek(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    entry.usedAt = Date.now();
    this.entries.set(key, entry);
    return entry.value;
  }

  /** The value kept under `key`, or the one being loaded for it, or a new one from `load` (kept if it fits). */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const kept = this.peek(key);
    if (kept !== undefined) {
      this.options.onLookup?.('kept');
      return Promise.resolve(kept);
    }
    let pending = this.loading.get(key);
    this.options.onLookup?.(pending ? 'shared' : 'made');
    if (!pending) {
      const loaded: Promise<T> = load()
        .then((value) => {
          // Unless forgetWhere() dropped this load meanwhile: the value may be of something gone.
          if (this.loading.get(key) === loaded) this.keep(key, value);
          return value;
        })
        .finally(() => {
          if (this.loading.get(key) === loaded) this.loading.delete(key);
        });
      this.loading.set(key, loaded);
      pending = loaded;
    }
    return pending;
  }

  /** Drops every kept value whose key `stale` picks (and lets a load in flight for one finish unkept). */
  forgetWhere(stale: (key: string) => boolean): void {
    for (const key of [...this.entries.keys()]) if (stale(key)) this.drop(key);
    for (const key of this.loading.keys()) if (stale(key)) this.loading.delete(key);
  }

  /** The weight of what is kept now (for tests and metrics). */
  get size(): number {
    return this.weight;
  }

  /** Drops everything and stops the sweeper. */
  clear(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const key of [...this.entries.keys()]) this.drop(key);
  }

  private keep(key: string, value: T): void {
    const size = this.options.sizeOf(value);
    if (!this.fits(size)) return;
    this.sweep(Date.now());
    for (const oldest of this.entries.keys()) {
      if (this.weight + size <= this.options.budget) break;
      this.drop(oldest);
    }
    this.entries.set(key, { value, size, usedAt: Date.now() });
    this.weight += size;
    // Memory goes back after a burst even when no request comes to notice the expiry.
    this.sweeper ??= setInterval(() => this.sweep(Date.now()), this.options.ttlMs / 2).unref();
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) if (now - entry.usedAt > this.options.ttlMs) this.drop(key);
    if (!this.entries.size && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.weight -= entry.size;
  }
}
