import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import type { Level } from 'pino';
import { CLIENT_CLOSED_REQUEST, outcomeStatusOf, routeTemplateOf } from '../http-outcome';

/** What Express, the request-id middleware and the JWT guard have added by the time the line is written. */
type Req = Request & { id?: string; user?: { id?: string } };

/**
 * One line per request when its response ends: pino-http's line (`req`, `res`, `responseTime`,
 * "request completed" / "request errored") with its id, user, route template and status (499 when
 * the client left). Written by hand because pino-http serializes the request into a child logger
 * for every request, whether its line is written or not, and nestjs-pino then runs the request in
 * an AsyncLocalStorage context, which puts promise hooks on every promise: together about a
 * quarter of a metadata read's CPU (`npm run bench`). Here nothing is built unless the line's level
 * is enabled; lines the app writes during a request carry their own context (the error filter's
 * carry the request id).
 */
@Injectable()
export class RequestLogMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const started = Date.now();
    // Asked now, the socket remembers it: an aborted request's socket is gone when its line is written.
    void req.socket?.remoteAddress;
    res.once('close', () => writeRequestLine(req, res, started));
    next();
  }
}

function writeRequestLine(incoming: Request, res: Response, started: number): void {
  const status = outcomeStatusOf(res);
  const level = levelOf(status);
  const log = PinoLogger.root;
  if (!log.isLevelEnabled(level)) return;
  const req = incoming as Req;
  const line = {
    req,
    res,
    responseTime: Date.now() - started,
    requestId: req.id,
    userId: req.user?.id,
    route: routeTemplateOf(req),
    status,
  };
  if (status >= 500) log[level]({ ...line, err: new Error(`failed with status code ${res.statusCode}`) }, 'request errored');
  else log[level](line, 'request completed');
}

/** An aborted request is the client's doing: 499 at warn, never an error. */
function levelOf(status: number): Level {
  if (status === CLIENT_CLOSED_REQUEST) return 'warn';
  if (status >= 500) return 'error';
  return status >= 400 ? 'warn' : 'info';
}
