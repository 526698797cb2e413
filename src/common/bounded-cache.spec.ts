import { BoundedCache, CacheOutcome } from './bounded-cache';

const cacheOf = (budget: number, maxEntry = budget, outcomes: CacheOutcome[] = []) =>
  new BoundedCache<Buffer>({ budget, maxEntry, ttlMs: 1000, sizeOf: (b) => b.length, onLookup: (o) => outcomes.push(o) });

/** A load the test finishes by hand. */
function deferred(): { promise: Promise<Buffer>; resolve(value: Buffer): void } {
  let resolve!: (value: Buffer) => void;
  const promise = new Promise<Buffer>((ok) => (resolve = ok));
  return { promise, resolve };
}

describe('BoundedCache', () => {
  it('peek answers only what is kept, without a load and without reporting a lookup', async () => {
    const outcomes: CacheOutcome[] = [];
    const cache = cacheOf(10, 10, outcomes);
    expect(cache.peek('a')).toBeUndefined();
    const bytes = await cache.get('a', async () => Buffer.alloc(4));
    expect(cache.peek('a')).toBe(bytes);
    expect(outcomes).toEqual(['made']);
    cache.clear();
  });

  it('keeps exactly maxEntry, not one more, and never more than the budget in all', async () => {
    const cache = cacheOf(10, 4);
    expect(cache.fits(4)).toBe(true);
    expect(cache.fits(5)).toBe(false);
    await cache.get('four', async () => Buffer.alloc(4));
    await cache.get('five', async () => Buffer.alloc(5));
    expect(cache.peek('four')).toBeDefined();
    expect(cache.peek('five')).toBeUndefined();
    for (const key of ['b', 'c', 'd']) await cache.get(key, async () => Buffer.alloc(4));
    expect(cache.size).toBe(8);
    expect(cache.peek('four')).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('does not keep a load that forgetWhere dropped while it ran, nor let it unkeep the load after it', async () => {
    const outcomes: CacheOutcome[] = [];
    const cache = cacheOf(100, 100, outcomes);
    const first = deferred();
    const running = cache.get('images/x', () => first.promise);
    cache.forgetWhere((key) => key.startsWith('images/x'));
    // A new request after the forget loads again, and is the one kept.
    const second = deferred();
    const again = cache.get('images/x', () => second.promise);
    first.resolve(Buffer.from('old'));
    expect((await running).toString()).toBe('old');
    expect(cache.peek('images/x')).toBeUndefined();
    second.resolve(Buffer.from('new'));
    expect((await again).toString()).toBe('new');
    expect(cache.peek('images/x')?.toString()).toBe('new');
    expect(outcomes).toEqual(['made', 'made']);
    cache.clear();
  });

  it('shares one load between concurrent gets, and keeps no failure', async () => {
    const outcomes: CacheOutcome[] = [];
    const cache = cacheOf(100, 100, outcomes);
    const load = jest.fn().mockRejectedValueOnce(new Error('gone')).mockResolvedValue(Buffer.alloc(1));
    await expect(Promise.all([cache.get('k', load), cache.get('k', load)])).rejects.toThrow('gone');
    expect(load).toHaveBeenCalledTimes(1);
    await cache.get('k', load);
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(2);
    expect(outcomes).toEqual(['made', 'shared', 'made', 'kept']);
    cache.clear();
  });
});
