/**
 * How stale a listing's `meta.total` may be. The instance that uploads, renames or deletes an image drops
 * that owner's totals at once; other instances (and direct database changes) show within this bound.
 */
export const LIST_TOTAL_TTL_MS = 1000;
const MAX_ENTRIES = 10_000;

/** Every filter of the listing: a total is kept per distinct combination, so a filter left out here would mix totals. */
export interface ListFilter {
  ownerId?: string;
  mimeType?: string;
  q?: string;
  checksum?: string;
}

/**
 * The COUNT behind a listing's total, kept ≤ LIST_TOTAL_TTL_MS per filter: counting an owner's
 * 100 000 rows costs milliseconds on SQLite's one connection on every page otherwise, while the page
 * itself reads 20 rows through the owner's index. The rows are never cached.
 */
export class ListTotals {
  private readonly entries = new Map<string, { ownerId: string | undefined; total: number; until: number }>();
  // Bumped by every invalidation: a count that was running meanwhile may predate the change, so it is not kept.
  private generation = 0;

  async get(filter: ListFilter, count: () => Promise<number>): Promise<number> {
    const key = JSON.stringify([filter.ownerId ?? null, filter.mimeType ?? null, filter.q ?? null, filter.checksum ?? null]);
    const now = Date.now();
    const known = this.entries.get(key);
    if (known && known.until > now) return known.total;
    const generation = this.generation;
    const total = await count();
    if (generation !== this.generation) return total;
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { ownerId: filter.ownerId, total, until: now + LIST_TOTAL_TTL_MS });
    return total;
  }

  /** An image of `ownerId` came or went: its owner's totals and the unfiltered (admin) ones are stale. */
  invalidate(ownerId: string): void {
    this.generation++;
    for (const [key, entry] of this.entries) {
      if (entry.ownerId === undefined || entry.ownerId === ownerId) this.entries.delete(key);
    }
  }
}
