import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

// Swagger UI at /docs needs inline styles and scripts from its own bundle; the API itself is JSON.
const headers = helmet({
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
    },
  },
  crossOriginResourcePolicy: { policy: 'same-site' },
});

/**
 * helmet's answer is the same for every request (no directive depends on it): recorded once, then
 * replayed, instead of eleven middleware calls per request. Same headers, same order.
 */
function recordHeaders(): Array<[string, string]> {
  const recorded: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string) => recorded.push([name, value]),
    removeHeader: () => undefined,
  };
  let finished = false;
  headers({} as Request, recorder as unknown as Response, (error?: unknown) => {
    if (error) throw error as Error;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously');
  return recorded;
}

const SECURITY_HEADERS = recordHeaders();

@Injectable()
export class SecurityHeadersMiddleware implements NestMiddleware {
  use(_req: Request, res: Response, next: NextFunction): void {
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    // Express's x-powered-by is disabled in app.setup; helmet removed it too.
    res.removeHeader('X-Powered-By');
    next();
  }
}
