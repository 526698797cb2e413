import { DECODED_SOURCE_TTL_MS, DecodedSource, DecodedSources } from './decoded-sources';

const KB = 1024;
const decodeOf = (bytes: number) =>
  jest.fn(async (): Promise<DecodedSource> => ({ data: Buffer.alloc(bytes), width: 1, height: 1, channels: 3 }));
const metrics = { sourceDecode: jest.fn(), watchSourceCache: jest.fn() };
const cacheOf = (budget: number) => new DecodedSources({ variantSourceCache: budget } as never, metrics as never);

describe('DecodedSources', () => {
  afterEach(() => jest.useRealTimers());

  it('decodes once for concurrent and later requests of one key, and counts what it made and shared', async () => {
    metrics.sourceDecode.mockClear();
    const cache = cacheOf(100 * KB);
    const decode = decodeOf(10 * KB);
    const [a, b] = await Promise.all([cache.get('k@4', decode), cache.get('k@4', decode)]);
    expect(await cache.get('k@4', decode)).toBe(a);
    expect(b).toBe(a);
    expect(decode).toHaveBeenCalledTimes(1);
    expect(metrics.sourceDecode.mock.calls).toEqual([['made'], ['shared'], ['shared']]);
    expect(cache.size).toBe(10 * KB);
    cache.onModuleDestroy();
  });

  it('stays within its budget, the least recently used going first, and keeps nothing over a quarter of it', async () => {
    const cache = cacheOf(100 * KB);
    await cache.get('a@4', decodeOf(25 * KB));
    await cache.get('b@4', decodeOf(25 * KB));
    await cache.get('c@4', decodeOf(25 * KB));
    await cache.get('a@4', decodeOf(25 * KB)); // a is now the most recent
    await cache.get('d@4', decodeOf(25 * KB));
    await cache.get('e@4', decodeOf(25 * KB)); // b goes
    expect(cache.size).toBe(100 * KB);
    const again = decodeOf(25 * KB);
    await cache.get('a@4', again);
    expect(again).not.toHaveBeenCalled();
    await cache.get('b@4', again);
    expect(again).toHaveBeenCalledTimes(1);

    const big = decodeOf(25 * KB + 1);
    await cache.get('big@2', big);
    await cache.get('big@2', big);
    expect(big).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(100 * KB);
    cache.onModuleDestroy();
  });

  it('keeps nothing with a budget of 0, and a failed decode is not kept', async () => {
    const none = cacheOf(0);
    const decode = decodeOf(1);
    await none.get('k@8', decode);
    await none.get('k@8', decode);
    expect(decode).toHaveBeenCalledTimes(2);
    expect(none.size).toBe(0);

    const cache = cacheOf(100 * KB);
    const failing = jest.fn().mockRejectedValueOnce(new Error('corrupt')).mockImplementation(decodeOf(KB));
    await expect(cache.get('k@8', failing)).rejects.toThrow('corrupt');
    await cache.get('k@8', failing);
    expect(failing).toHaveBeenCalledTimes(2);
    cache.onModuleDestroy();
  });

  it('lets go of what nobody used for the TTL, with no request to notice, and of a deleted original at once', async () => {
    jest.useFakeTimers();
    const cache = cacheOf(100 * KB);
    await cache.get('gone@4', decodeOf(KB));
    await cache.get('gone@8', decodeOf(KB));
    await cache.get('kept@4', decodeOf(KB));
    cache.forget('gone');
    expect(cache.size).toBe(KB);
    jest.advanceTimersByTime(DECODED_SOURCE_TTL_MS * 1.5 + 1);
    expect(cache.size).toBe(0);
    cache.onModuleDestroy();
  });
});
