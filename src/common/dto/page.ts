export interface PageMeta {
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

/** A page of a list; the envelope interceptor turns it into `{ data, meta }`. */
export class Page<T> {
  readonly meta: PageMeta;

  constructor(
    readonly items: T[],
    total: number,
    page: number,
    limit: number,
  ) {
    this.meta = { page, limit, total, totalPages: Math.ceil(total / limit) };
  }
}
