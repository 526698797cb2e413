import { RecentReads } from './recent-reads';

describe('RecentReads', () => {
  afterEach(() => jest.useRealTimers());

  it('reads a row once within its TTL, again after it', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const rows = new RecentReads<{ v: number }>(1000, 10);
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
    const rows = new RecentReads<string>(1000, 10);
    await expect(rows.get('a', async () => null)).resolves.toBeNull();
    await expect(rows.get('a', async () => 'now there')).resolves.toBe('now there');
  });

  it('forget makes the next read go to the source', async () => {
    const rows = new RecentReads<string>(1000, 10);
    await rows.get('a', async () => 'old');
    rows.forget('a');
    await expect(rows.get('a', async () => 'new')).resolves.toBe('new');
  });

  it('does not keep a read that was in flight when forget was called (it may hold the row as it was)', async () => {
    const rows = new RecentReads<string>(1000, 10);
    let finish!: (value: string) => void;
    const inFlight = rows.get('a', () => new Promise<string>((resolve) => (finish = resolve)));
    rows.forget('a');
    finish('before the delete');
    await expect(inFlight).resolves.toBe('before the delete');
    await expect(rows.get('a', async () => 'after')).resolves.toBe('after');
  });

  it('holds at most `max` rows, dropping the oldest', async () => {
    const rows = new RecentReads<string>(60_000, 2);
    for (const key of ['a', 'b', 'c']) await rows.get(key, async () => `${key}1`);
    await expect(rows.get('b', async () => 'b2')).resolves.toBe('b1');
    await expect(rows.get('c', async () => 'c2')).resolves.toBe('c1');
    await expect(rows.get('a', async () => 'a2')).resolves.toBe('a2');
  });

  it('forgetWhere drops the values it picks, and any read in flight, and keeps the rest', async () => {
    const totals = new RecentReads<{ owner: string; total: number }>(60_000, 10);
    await totals.get('a', async () => ({ owner: 'a', total: 0 }));
    await totals.get('b', async () => ({ owner: 'b', total: 5 }));
    let finish!: (value: { owner: string; total: number }) => void;
    const inFlight = totals.get('c', () => new Promise((resolve) => (finish = resolve)));
    totals.forgetWhere((kept) => kept.owner === 'a');
    finish({ owner: 'c', total: 1 });
    await inFlight;
    await expect(totals.get('a', async () => ({ owner: 'a', total: 1 }))).resolves.toEqual({ owner: 'a', total: 1 });
    await expect(totals.get('b', async () => ({ owner: 'b', total: 6 }))).resolves.toEqual({ owner: 'b', total: 5 });
    await expect(totals.get('c', async () => ({ owner: 'c', total: 2 }))).resolves.toEqual({ owner: 'c', total: 2 });
  });
});
