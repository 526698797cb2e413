import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

/**
 * Nest's Express adapter, with one change: Node constructs each request and response with
 * Express's prototypes (`app.request`, `app.response`) from the start.
 *
 * Express gives them those prototypes per request, with `Object.setPrototypeOf`, and V8 does not
 * cache the hidden-class transitions of an object whose prototype was changed: every property
 * Express, its router and the app add afterwards (next, baseUrl, params, route, id, user, locals,
 * statusCode, …: 14 on a metadata read) made a new hidden class, different for every request. Each
 * property access that met one missed its inline cache and V8's megamorphic stub cache too, and
 * looked the property up the slow way: under callgrind, 44 % of the instructions a metadata read
 * cost were those misses (V8's `--log-maps`: 14 new maps per request, each from a "prototype" map).
 *
 * Constructed with the right prototype, the objects share their hidden classes from request to
 * request, and Express's `setPrototypeOf` finds the prototype already in place and does nothing.
 * Nothing else changes: the prototypes take the place of Express's own (`app.request` and
 * `app.response` are replaced by objects with the same parent and the same own properties).
 * Any other option of Nest's own server (`forceCloseConnections`) gets Nest's own server.
 */
export class AppExpressAdapter extends ExpressAdapter {
  initHttpServer(options: NestApplicationOptions): void {
    if (options.forceCloseConnections) return super.initHttpServer(options);
    const app = this.getInstance<Express>();
    const constructors = { IncomingMessage: requestClass(app), ServerResponse: responseClass(app) };
    this.httpServer = options.httpsOptions
      ? createHttpsServer({ ...options.httpsOptions, ...constructors }, app)
      : createServer(constructors, app);
  }
}

/**
 * The class Node's server builds each request with: IncomingMessage's own constructor, and as its
 * prototype an object that takes the place of `app.request` (the same parent, the same own
 * properties), so that Express finds every request already on it.
 *
 * It has to be a class: V8 keeps the hidden class of objects built for a `new.target` on that
 * `new.target` only when it is a derived class constructor (a plain function with `prototype =
 * app.request` got a fresh one every time, the same problem again), and a class's objects get
 * IncomingMessage's own in-object size (26 fields; a plain function's got 10, and with the fields
 * Express adds the router's first keyed store then turned them into slow dictionary-mode objects).
 */
export function requestClass(app: Express): typeof IncomingMessage {
  class AppRequest extends IncomingMessage {}
  app.request = takePlaceOf(AppRequest.prototype, app.request);
  return AppRequest;
}

/** The same for responses: a ServerResponse class whose prototype takes the place of `app.response`. */
export function responseClass(app: Express): typeof ServerResponse {
  class AppResponse extends ServerResponse {}
  app.response = takePlaceOf(AppResponse.prototype, app.response);
  // Node's typing makes ServerResponse generic in its request type; this one serves any.
  return AppResponse as unknown as typeof ServerResponse;
}

/**
 * Makes `prototype` a copy of `original`: the same parent and the same own properties, and no
 * `constructor` of its own (Express's objects inherit IncomingMessage's and ServerResponse's).
 */
function takePlaceOf<T extends object>(prototype: object, original: T): T {
  delete (prototype as { constructor?: unknown }).constructor;
  Object.setPrototypeOf(prototype, Object.getPrototypeOf(original) as object);
  for (const key of Reflect.ownKeys(original)) {
    Object.defineProperty(prototype, key, Object.getOwnPropertyDescriptor(original, key)!);
  }
  return prototype as T;
}
