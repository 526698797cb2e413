/**
 * Rows read by key, each kept for at most `ttlMs` after its read began (a bounded map, oldest out
 * first). A miss is never kept, so a new row is visible at once. `forget` makes this process's own
 * change visible at once: a read that was already in flight when it was called is not kept either.
 * Other processes' changes are visible within `ttlMs`.
 */
export class RecentRows<T> {
  private readonly rows = new Map<string, { row: T; until: number }>();
  /** Bumped by every forget: a read that began before it may hold the row as it was. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  async get(key: string, read: () => Promise<T | null>): Promise<T | null> {
    const now = Date.now();
    const known = this.rows.get(key);
    if (known && known.until > now) return known.row;
    const generation = this.generation;
    const row = await read();
    this.rows.delete(key);
    if (!row || generation !== this.generation) return row;
    if (this.rows.size >= this.max) this.rows.delete(this.rows.keys().next().value!);
    this.rows.set(key, { row, until: now + this.ttlMs });
    return row;
  }

  forget(key: string): void {
    this.generation++;
    this.rows.delete(key);
  }
}
