import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../auth/auth.errors';
import { RouteNotFoundError } from '../common/errors';
import { metricsConfig } from './config/metrics.config';

/** /metrics: a 404 like any unknown route when disabled; with METRICS_TOKEN, only for its bearer. */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(metricsConfig.KEY) private readonly cfg: ConfigType<typeof metricsConfig>) {
    this.expected = cfg.token ? digest(cfg.token) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.cfg.enabled) throw new RouteNotFoundError();
    if (!this.expected) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer (\S+)$/i.exec(header);
    // Digests have one length, so the comparison takes the same time whatever was sent.
    if (match && timingSafeEqual(digest(match[1]), this.expected)) return true;
    throw new UnauthorizedError(match ? 'The metrics token is invalid' : 'A bearer token is required', 'Bearer');
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
