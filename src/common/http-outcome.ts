import type { Request, Response } from 'express';

/** nginx's "client closed request": the client left before the response was complete. */
export const CLIENT_CLOSED_REQUEST = 499;
/** The route label of a request no route matched (404s of unknown paths, static files). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Nest mounts app-wide middleware as a catch-all route: a request left with it matched no controller. */
const MIDDLEWARE_ROUTE = '/{*path}';

/** The matched route's template (`/images/:id`), never the raw path: logs and metric labels stay bounded. */
export function routeTemplateOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path !== 'string' || path === MIDDLEWARE_ROUTE) return UNMATCHED_ROUTE;
  return `${req.baseUrl ?? ''}${path}`;
}

/** The status the client saw; 499 when the connection closed before the whole response was written. */
export function outcomeStatusOf(res: Response): number {
  return res.writableFinished ? res.statusCode : CLIENT_CLOSED_REQUEST;
}
