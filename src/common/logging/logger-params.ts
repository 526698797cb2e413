import type { ConfigType } from '@nestjs/config';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { ServerResponse } from 'node:http';
import { appConfig } from '../../config';
import { outcomeStatusOf } from '../http-outcome';

/** Where log lines go: stdout unless a test provides a stream to read them from. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/**
 * The app's pino logger (nestjs-pino: Nest's Logger writes through it), JSON lines, or pino-pretty's
 * readable lines in development on a terminal. Its serializers are pino-http's (`req`, `res`, `err`)
 * and the request lines are RequestLogMiddleware's: nestjs-pino's own request middlewares are not
 * mounted (`forRoutes: []`), see there why.
 */
export function loggerParams(cfg: ConfigType<typeof appConfig>, destination: DestinationStream | null): Params {
  const options: Options = {
    level: cfg.logLevel,
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    // The standard `res.statusCode` agrees with `status`: 499 when the client left.
    serializers: {
      res: (res: { raw?: ServerResponse }) => (res.raw ? { ...res, statusCode: outcomeStatusOf(res.raw as never) } : res),
    },
    ...(!destination && prettyWanted(cfg) ? { transport: PRETTY } : {}),
  };
  return { pinoHttp: destination ? [options, destination] : options, forRoutes: [] };
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

/** Readable lines only for a person at a terminal in development; machines get JSON. */
function prettyWanted(cfg: ConfigType<typeof appConfig>): boolean {
  return cfg.nodeEnv === 'development' && process.stdout.isTTY === true;
}
