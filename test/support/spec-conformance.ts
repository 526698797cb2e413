import { INestApplication } from '@nestjs/common';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import request from 'supertest';
import type { Response } from 'supertest';
import { buildOpenApiDocument } from '../../src/app.setup';

type Schema = Record<string, unknown>;
type Doc = ReturnType<typeof buildOpenApiDocument>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);
const JSON_TYPES = /^application\/(problem\+)?json/;

/**
 * Checks every response an e2e test receives against what the OpenAPI document promises for that
 * operation and status: an undocumented status, or a JSON body that does not match, fails the test.
 */
export class SpecConformance {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly routes: { method: string; template: string; pattern: RegExp; operation: Operation }[] = [];

  constructor(private readonly doc: Doc) {
    addFormats(this.ajv);
    // RFC 6531 addresses (the spec declares e-mails `idn-email`); ajv-formats only knows ASCII `email`.
    this.ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/u);
    for (const [template, item] of Object.entries(doc.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
        if (METHODS.has(method)) this.routes.push({ method, template, pattern, operation });
      }
    }
  }

  check(res: Response): void {
    const req = (res as unknown as { req: { method: string; path: string } }).req;
    const method = req.method.toLowerCase();
    const path = req.path.split('?')[0];
    const route = this.routes.find((r) => r.method === method && r.pattern.test(path));
    // Unknown routes have no operation to conform to; their 404 problem body is checked elsewhere.
    if (!route) return;
    const where = `${req.method} ${route.template} → ${res.status}`;
    const documented = route.operation.responses[String(res.status)];
    if (!documented) throw new Error(`${where} is not documented in the OpenAPI document`);
    // A HEAD answer has the headers of its body but never the body.
    if (method === 'head') return;
    const type = String(res.headers['content-type'] ?? '');
    if (!JSON_TYPES.test(type)) return;
    const media = documented.content?.[type.split(';')[0]] ?? Object.values(documented.content ?? {})[0];
    if (!media?.schema) throw new Error(`${where} answered ${type} but documents no JSON body`);
    const body = Buffer.isBuffer(res.body) ? JSON.parse(res.body.toString('utf8')) : res.body;
    const validate = this.validator(`${where} ${type}`, media.schema);
    if (!validate(body)) {
      throw new Error(
        `${where}: body does not match the documented schema: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`,
      );
    }
  }

  private validator(key: string, schema: Schema): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema({ ...schema, components: this.doc.components }));
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/** OpenAPI 3.0's `nullable: true` is JSON Schema's `type: [T, 'null']`. */
function toJsonSchema(value: unknown): Schema {
  if (Array.isArray(value)) return value.map(toJsonSchema) as unknown as Schema;
  if (!value || typeof value !== 'object') return value as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(value)) out[k] = toJsonSchema(v);
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

let cached: SpecConformance | undefined;

/** supertest on the app's server, with every request's response checked against the spec. */
export function conformingRequest(app: INestApplication): ReturnType<typeof request> {
  cached ??= new SpecConformance(buildOpenApiDocument(app));
  const checker = cached;
  const agent = request(app.getHttpServer());
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !METHODS.has(property) || typeof value !== 'function') return value;
      return (url: string) => value.call(target, url).expect((res: Response) => checker.check(res));
    },
  });
}
