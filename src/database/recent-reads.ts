/**
 * Values read from the database by key (a row, a count), each kept for at most `ttlMs` after its
 * read began (a bounded map, oldest out first). `null` is never kept, so a row created later is
 * visible at once. `forget` and `forgetWhere` make this process's own change visible at once: a
 * read that was already in flight when either was called is not kept. Other processes' changes are
 * visible within `ttlMs`.
 */
export class RecentReads<T> {
  private readonly values = new Map<string, { value: T; until: number }>();
  /** Bumped by every forget: a read that began before it may hold the value as it was. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  async get(key: string, read: () => Promise<T | null>): Promise<T | null> {
    const now = Date.now();
    const known = this.values.get(key);
    if (known && known.until > now) return known.value;
    const generation = this.generation;
    const value = await read();
    this.values.delete(key);
    if (value === null || generation !== this.generation) return value;
    if (this.values.size >= this.max) this.values.delete(this.values.keys().next().value!);
    this.values.set(key, { value, until: now + this.ttlMs });
    return value;
  }

  forget(key: string): void {
    this.generation++;
    this.values.delete(key);
  }

  /** Forgets every kept value `stale` picks (the totals of one owner's listings, say). */
  forgetWhere(stale: (value: T) => boolean): void {
    this.generation++;
    for (const [key, entry] of this.values) if (stale(entry.value)) this.values.delete(key);
  }
}
