import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import cors from 'cors';
import type { NextFunction, Request, Response } from 'express';
import { appConfig } from '../../config';

/** CORS for the origins in CORS_ORIGINS only; with none configured, no CORS headers at all. */
@Injectable()
export class CorsMiddleware implements NestMiddleware {
  private readonly handler: ReturnType<typeof cors> | undefined;

  constructor(@Inject(appConfig.KEY) cfg: ConfigType<typeof appConfig>) {
    const origins = cfg.corsOrigins;
    this.handler = origins.length
      ? cors({
          origin: origins.includes('*') ? '*' : origins,
          exposedHeaders: [
            'X-Request-Id',
            'Location',
            'ETag',
            'Content-Range',
            'Content-Disposition',
            'Retry-After',
            'WWW-Authenticate',
            // tus (/uploads)
            'Tus-Resumable',
            'Tus-Version',
            'Tus-Extension',
            'Tus-Max-Size',
            'Upload-Offset',
            'Upload-Length',
            'Upload-Metadata',
            'Upload-Expires',
            'Image-Location',
          ],
          maxAge: 600,
        })
      : undefined;
  }

  use(req: Request, res: Response, next: NextFunction): void {
    if (this.handler) this.handler(req, res, next);
    else next();
  }
}
