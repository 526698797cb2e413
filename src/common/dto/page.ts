export interface PageMeta {
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

/** A page of a list; its controller answers it as `{ data, meta }` (`pageEnvelope`). */
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
