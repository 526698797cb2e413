import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { FieldError } from '../errors';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  requestId: string;
  errors?: FieldError[];
}

export function titleOf(status: number): string {
  // Node's table says 413 "Payload Too Large"; RFC 9110 renamed it.
  if (status === 413) return 'Content Too Large';
  if (status === 422) return 'Unprocessable Content';
  if (status === 499) return 'Client Closed Request';
  return STATUS_CODES[status] ?? 'Error';
}

/** The path of a request target: an absolute-form target (`GET http://host/x`) is reported as `/x`, never echoed. */
export function instanceOf(target: string | undefined): string {
  const raw = target ?? '/';
  if (raw.startsWith('/')) return raw.split('?')[0];
  try {
    return new URL(raw).pathname;
  } catch {
    return '/';
  }
}

/** A problem without field errors, for answers written outside the exception filter. */
export function problemOf(status: number, code: string, detail: string, instance: string, requestId: string): ProblemDetails {
  return { type: 'about:blank', title: titleOf(status), status, detail, instance, code, requestId };
}

/** The filter notes the code it answered with, so whatever counts outcomes after the response can read it. */
export function recordProblemCode(res: Response, code: string): void {
  res.locals.problemCode = code;
}

export function problemCodeOf(res: Response): string | undefined {
  return res.locals?.problemCode as string | undefined;
}
