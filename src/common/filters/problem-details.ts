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
  return STATUS_CODES[status] ?? 'Error';
}

/** The filter notes the code it answered with, so whatever counts outcomes after the response can read it. */
export function recordProblemCode(res: Response, code: string): void {
  res.locals.problemCode = code;
}

export function problemCodeOf(res: Response): string | undefined {
  return res.locals?.problemCode as string | undefined;
}
