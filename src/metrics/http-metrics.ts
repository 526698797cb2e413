import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Socket } from 'node:net';
import type { Counter, Histogram } from 'prom-client';
import { problemCodeOf } from '../common/filters/problem-details';
import { CLIENT_CLOSED_REQUEST, outcomeStatusOf, routeTemplateOf } from '../common/http-outcome';
import { MetricsService } from './metrics.service';

/** The outcome label of a request whose client left before the answer was complete. */
export const CLIENT_ABORTED = 'CLIENT_ABORTED';
/** Uploads take seconds, metadata reads a millisecond: buckets cover both. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface OutcomeCounter {
  counter: Counter<'code'>;
  success: string;
}

/** Socket byte counts already attributed to an earlier request on the same keep-alive connection. */
const COUNTED = Symbol('countedBytes');
type CountedSocket = Socket & { [COUNTED]?: { read: number; written: number } };

/** Per-request figures, labelled by route template (bounded), method and status. */
@Injectable()
export class HttpMetrics {
  private readonly duration: Histogram<'route' | 'method' | 'status'>;
  private readonly received: Counter<'route'>;
  private readonly sent: Counter<'route'>;
  private readonly outcomes = new Map<string, OutcomeCounter>();

  constructor(metrics: MetricsService) {
    this.duration = metrics.histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from the request reaching the app to the response being written, by route template, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: DURATION_BUCKETS,
    });
    this.received = metrics.counter({
      name: 'http_received_bytes_total',
      help: 'Bytes read from clients (request lines, headers and bodies), by route template',
      labelNames: ['route'],
    });
    this.sent = metrics.counter({
      name: 'http_sent_bytes_total',
      help: 'Bytes written to clients (status lines, headers and bodies), by route template',
      labelNames: ['route'],
    });
  }

  /**
   * Requests to these routes (e.g. `POST /images`) also count into `counter` by outcome: `success`
   * for a 2xx/3xx, the problem code the exception filter answered with otherwise.
   */
  countOutcomes(counter: Counter<'code'>, routes: string[], success: string): void {
    for (const route of routes) this.outcomes.set(route, { counter, success });
  }

  /** Called once per request, when its response closes. */
  observe(req: Request, res: Response, seconds: number): void {
    const route = routeTemplateOf(req);
    const status = outcomeStatusOf(res);
    this.duration.observe({ route, method: req.method, status: String(status) }, seconds);
    this.countBytes(req.socket as CountedSocket, route);
    const outcome = this.outcomes.get(`${req.method} ${route}`);
    if (outcome) outcome.counter.inc({ code: outcomeCode(res, status, outcome.success) });
  }

  /** Counts the socket's bytes since the previous request on it: cheap, and exact on the wire. */
  private countBytes(socket: CountedSocket | undefined, route: string): void {
    if (!socket) return;
    const counted = (socket[COUNTED] ??= { read: 0, written: 0 });
    const { bytesRead, bytesWritten } = socket;
    if (bytesRead > counted.read) this.received.inc({ route }, bytesRead - counted.read);
    if (bytesWritten > counted.written) this.sent.inc({ route }, bytesWritten - counted.written);
    counted.read = bytesRead;
    counted.written = bytesWritten;
  }
}

function outcomeCode(res: Response, status: number, success: string): string {
  if (status === CLIENT_CLOSED_REQUEST) return CLIENT_ABORTED;
  return problemCodeOf(res) ?? (status < 400 ? success : String(status));
}
