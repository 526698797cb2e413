import { RecentReads } from '../database/recent-reads';

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
  private readonly totals = new RecentReads<{ ownerId: string | undefined; total: number }>(LIST_TOTAL_TTL_MS, MAX_ENTRIES);

  async get(filter: ListFilter, count: () => Promise<number>): Promise<number> {
    const key = JSON.stringify([filter.ownerId ?? null, filter.mimeType ?? null, filter.q ?? null, filter.checksum ?? null]);
    const kept = await this.totals.get(key, async () => ({ ownerId: filter.ownerId, total: await count() }));
    return kept!.total;
  }

  /** An image of `ownerId` came or went: its owner's totals and the unfiltered (admin) ones are stale. */
  invalidate(ownerId: string): void {
    this.totals.forgetWhere((kept) => kept.ownerId === undefined || kept.ownerId === ownerId);
  }
}
