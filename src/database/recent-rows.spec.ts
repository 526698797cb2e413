import { RecentRows } from './recent-rows';

describe('RecentRows', () => {
  afterEach(() => jest.useRealTimers());

  it('reads a row once within its TTL, again after it', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const rows = new RecentRows<{ v: number }>(1000, 10);
    let reads = 0;
    const read = jest.fn(async () => ({ v: ++reads }));
    await expect(rows.get('a', read)).resolves.toEqual({ v: 1 });
    jest.setSystemTime(1_000_999);
    await expect(rows.get('a', read)).resolves.toEqual({ v: 1 });
    jest.setSystemTime(1_001_000);
    await expect(rows.get('a', read)).resolves.toEqual({ v: 2 });
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('never keeps a miss: a row created later is found at once', async () => {
    const rows = new RecentRows<string>(1000, 10);
    await expect(rows.get('a', async () => null)).resolves.toBeNull();
    await expect(rows.get('a', async () => 'now there')).resolves.toBe('now there');
  });

  it('forget makes the next read go to the source', async () => {
    const rows = new RecentRows<string>(1000, 10);
    await rows.get('a', async () => 'old');
    rows.forget('a');
    await expect(rows.get('a', async () => 'new')).resolves.toBe('new');
  });

  it('does not keep a read that was in flight when forget was called (it may hold the row as it was)', async () => {
    const rows = new RecentRows<string>(1000, 10);
    let finish!: (value: string) => void;
    const inFlight = rows.get('a', () => new Promise<string>((resolve) => (finish = resolve)));
    rows.forget('a');
    finish('before the delete');
    await expect(inFlight).resolves.toBe('before the delete');
    await expect(rows.get('a', async () => 'after')).resolves.toBe('after');
  });

  it('holds at most `max` rows, dropping the oldest', async () => {
    const rows = new RecentRows<string>(60_000, 2);
    for (const key of ['a', 'b', 'c']) await rows.get(key, async () => `${key}1`);
    await expect(rows.get('b', async () => 'b2')).resolves.toBe('b1');
    await expect(rows.get('c', async () => 'c2')).resolves.toBe('c1');
    await expect(rows.get('a', async () => 'a2')).resolves.toBe('a2');
  });
});
