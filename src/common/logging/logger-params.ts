import type { ConfigType } from '@nestjs/config';
import type { Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { appConfig } from '../../config';
import { CLIENT_CLOSED_REQUEST, outcomeStatusOf, routeTemplateOf } from '../http-outcome';
import { requestIdOf } from '../middleware/request-id.middleware';

/** Where log lines go: stdout unless a test provides a stream to read them from. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/** What Express and the JWT guard have added by the time a request line is written. */
type Req = Request & { id?: string; user?: { id?: string } };

/**
 * One JSON line per request, or pino-pretty's readable lines in development on a terminal. Each
 * request line carries its id, user, route template, status (499 when the client left) and duration.
 */
export function loggerParams(cfg: ConfigType<typeof appConfig>, destination: DestinationStream | null): Params {
  const options: Options = {
    level: cfg.logLevel,
    genReqId: (req, res) => requestIdOf(req as never, res as never),
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    customLogLevel: (_req, res, err) => levelOf(statusOf(res), err),
    customSuccessObject: (req, res, value: object) => ({ ...value, ...requestFields(req, res) }),
    customErrorObject: (req, res, _error, value: object) => ({ ...value, ...requestFields(req, res) }),
    // The standard `res.statusCode` agrees with `status`: 499 when the client left.
    serializers: { res: (res: { raw?: ServerResponse }) => (res.raw ? { ...res, statusCode: statusOf(res.raw) } : res) },
    ...(!destination && prettyWanted(cfg) ? { transport: PRETTY } : {}),
  };
  return { pinoHttp: destination ? [options, destination] : options };
}

/** One short line per request for a person: `GET /images/… 200 in 3 ms`, the rest as `key=value`. */
const PRETTY = {
  target: 'pino-pretty',
  options: {
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    ignore: 'pid,hostname,context,req,res,responseTime,status,requestId',
    messageFormat:
      '{if context}[{context}] {end}{msg}{if req.method} {req.method} {req.url} {status} in {responseTime} ms ({requestId}){end}',
  },
};

/** An aborted request is the client's doing: 499 at warn, never an error. */
function levelOf(status: number, err: Error | undefined): 'info' | 'warn' | 'error' {
  if (status === CLIENT_CLOSED_REQUEST) return 'warn';
  if (err || status >= 500) return 'error';
  return status >= 400 ? 'warn' : 'info';
}

function statusOf(res: ServerResponse): number {
  return outcomeStatusOf(res as Response);
}

function requestFields(incoming: IncomingMessage, res: ServerResponse) {
  const req = incoming as Req;
  return { requestId: req.id, userId: req.user?.id, route: routeTemplateOf(req), status: statusOf(res) };
}

/** Readable lines only for a person at a terminal in development; machines get JSON. */
function prettyWanted(cfg: ConfigType<typeof appConfig>): boolean {
  return cfg.nodeEnv === 'development' && process.stdout.isTTY === true;
}
