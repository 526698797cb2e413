import { ArgumentMetadata } from '@nestjs/common';
import { FieldError, ValidationFailedError } from '../errors';

/** Keys class-transformer drops silently, so `forbidNonWhitelisted` never sees them. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** A decimal numeral; anything else stays a string and fails the DTO's own type rule. */
const DECIMAL = /^[+-]?\d+(\.\d+)?$/;

type Input = Record<string, unknown>;

/**
 * What the DTO rules cannot see for themselves: prototype keys (body and query), a query
 * parameter given more than once, and query strings that a DTO declares as numbers (JSON
 * bodies are typed already, so their strings are never coerced).
 */
export function prepareInput(value: unknown, metadata: ArgumentMetadata): unknown {
  if (!isRecord(value)) return value;
  refuse(Object.keys(value).filter(isPrototypeKey), 'should not exist');
  if (metadata.type !== 'query' || !metadata.metatype) return value;
  refuse(
    Object.keys(value).filter((key) => Array.isArray(value[key])),
    'must be given once',
  );
  return coerceNumbers(value, metadata.metatype.prototype as object);
}

function coerceNumbers(query: Input, prototype: object): Input {
  const typed: Input = {};
  for (const [key, raw] of Object.entries(query)) {
    const isNumber = Reflect.getMetadata('design:type', prototype, key) === Number;
    typed[key] = isNumber && typeof raw === 'string' && DECIMAL.test(raw) ? Number(raw) : raw;
  }
  return typed;
}

function refuse(fields: string[], message: string): void {
  if (!fields.length) return;
  const errors: FieldError[] = fields.map((field) => ({ field, message }));
  throw new ValidationFailedError(errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
}

function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key) || key.startsWith('__proto__');
}

function isRecord(value: unknown): value is Input {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
