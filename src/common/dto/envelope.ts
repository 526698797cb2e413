import { Page, PageMeta } from './page';

/** A JSON success body (API.md): `{ data }`. */
export interface Envelope<T> {
  data: T;
}

/** A list's success body: `{ data, meta }`. */
export interface PageEnvelope<T> extends Envelope<T[]> {
  meta: PageMeta;
}

/**
 * The one place success bodies get their envelope; every controller returns its result through it
 * (204s and streams return nothing). A global interceptor did this before issue 14: Nest runs a
 * route that has any interceptor through an rxjs chain (`defer`, `mergeAll`, a `ReplaySubject`,
 * two `AsyncResource.bind`s, `lastValueFrom`), and that machinery alone was ~45 % of the CPU of a
 * `GET /images/{id}` (`npm run bench`, same-run A/B) and ran for downloads too, which return nothing.
 */
export function envelope<T>(data: T): Envelope<T> {
  return { data };
}

export function pageEnvelope<T>(page: Page<T>): PageEnvelope<T> {
  return { data: page.items, meta: page.meta };
}
