import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { FieldError, ValidationFailedError } from '../errors';
import { prepareInput } from './raw-input';

/**
 * Global DTO validation: unknown fields are refused, and every failing field is listed in `errors[]`.
 * A query DTO whose empty query validated once (all its fields optional) is not validated again for
 * an empty query: the answer cannot change, and a read without parameters skips class-validator and
 * class-transformer, getting one frozen instance (a handler that wrote to it would throw).
 */
class AppValidationPipe extends ValidationPipe {
  /** By query DTO class: its instance for an empty query, once that validated (frozen: shared by every such request). */
  private readonly emptyQueries = new WeakMap<object, unknown>();

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (!this.toValidate(metadata)) return super.transform(value, metadata);
    const emptyQuery = metadata.type === 'query' && metadata.metatype !== undefined && isEmptyObject(value);
    if (emptyQuery) {
      const known = this.emptyQueries.get(metadata.metatype!);
      if (known) return known;
    }
    const result: unknown = await super.transform(prepareInput(value, metadata), metadata);
    if (emptyQuery)
      this.emptyQueries.set(metadata.metatype!, Object.freeze(plainToInstance(metadata.metatype!, {}, this.transformOptions)));
    return result;
  }
}

function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const _key in value) return false;
  return Object.getOwnPropertySymbols(value).length === 0;
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Every rule runs; the factory reports one per field, the most basic one broken (see PRIORITY).
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new ValidationFailedError(fields.map((f) => `${f.field} ${f.message}`).join('; ') || 'The request is not valid', fields);
    },
  });
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = firstBroken(error.constraints);
    return [...(own ? [{ field, message: stripField(own, error.property) }] : []), ...flatten(error.children ?? [], field)];
  });
}

/**
 * The rule to report, from the most basic up: presence ("should not be empty"), then type
 * ("must be an integer", "must be a string"), then size and range ("must not be greater than",
 * "must be shorter than"), then format ("must be an email"). A range says nothing useful about a
 * value of the wrong type, and a format says little about one that is far too long.
 */
const PRIORITY: Array<(name: string) => boolean> = [
  (name) => name === 'whitelistValidation',
  (name) => ['isDefined', 'isNotEmpty'].includes(name),
  (name) => ['isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject', 'isIn', 'isEnum'].includes(name),
  (name) => /^(min|max|minLength|maxLength|length|arrayMinSize|arrayMaxSize)$/.test(name),
];

function firstBroken(constraints: Record<string, string> = {}): string | undefined {
  const names = Object.keys(constraints);
  const chosen = PRIORITY.map((rank) => names.find(rank)).find(Boolean) ?? names[0];
  return chosen === undefined ? undefined : constraints[chosen];
}

/** class-validator starts messages with the property name; `errors[].field` already carries it. */
function stripField(message: string, property: string): string {
  if (message === `property ${property} should not exist`) return 'should not exist';
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
