import SwaggerParser from '@apidevtools/swagger-parser';
import { randomUUID } from 'node:crypto';
import { TestApp, createTestApp } from './support/test-app';

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  deprecated?: boolean;
  security?: Array<Record<string, string[]>>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }>; headers?: Record<string, unknown> }>;
}
interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
}
interface Document {
  openapi: string;
  tags?: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, { type: string; scheme?: string }> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];
const PROBLEM_REF = '#/components/schemas/ProblemDetailsDto';

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;
  let operations: Array<{ method: string; path: string; op: Operation }>;

  beforeAll(async () => {
    t = await createTestApp();
    const res = await t.http.get('/docs-json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body;
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ method, path, op })),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('is a valid OpenAPI 3 document', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it('documents every route of the contract', () => {
    const documented = operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /auth/register',
        'POST /auth/login',
        'POST /auth/refresh',
        'POST /auth/logout',
        'GET /auth/me',
        'POST /images',
        'GET /images',
        'GET /images/{id}',
        'GET /images/{id}/content',
        'DELETE /images/{id}',
        'POST /images/{id}/links',
        'POST /upload',
        'GET /image/{id}',
        'DELETE /image/{id}',
        'GET /health',
        'GET /health/ready',
        'GET /health/live',
      ]),
    );
    expect(Object.keys(doc.paths).filter((path) => path.includes('metrics'))).toEqual([]);
  });

  it('gives every operation a unique operationId, a summary and a declared tag', () => {
    const declaredTags = (doc.tags ?? []).map((tag) => tag.name);
    for (const { method, path, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect({ where, operationId: typeof op.operationId }).toEqual({ where, operationId: 'string' });
      expect({ where, summary: Boolean(op.summary?.trim()) }).toEqual({ where, summary: true });
      expect({ where, tags: op.tags?.length ?? 0 }).toEqual({ where, tags: expect.any(Number) });
      expect({ where, tagged: (op.tags ?? []).length > 0 && (op.tags ?? []).every((tag) => declaredTags.includes(tag)) }).toEqual({
        where,
        tagged: true,
      });
    }
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares the bearer scheme, and protected operations use it and document their 401', () => {
    expect(doc.components.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const protectedOps = operations.filter(({ op }) => op.security?.some((s) => 'bearer' in s));
    expect(protectedOps.map(({ path }) => path)).toEqual(expect.arrayContaining(['/auth/me', '/images', '/images/{id}']));
    for (const { method, path, op } of protectedOps) {
      expect({ where: `${method} ${path}`, has401: '401' in op.responses }).toEqual({ where: `${method} ${path}`, has401: true });
      expect(op.responses['401'].headers).toHaveProperty('WWW-Authenticate');
    }
  });

  it('matches the guard: every operation that answers 401 without a token says it needs the bearer token', async () => {
    for (const { method, path, op } of operations) {
      const url = path.replace(/\{[^}]+\}/g, randomUUID());
      // HEAD and OPTIONS (the tus routes) carry no body.
      const res = await t.http[method as 'get'](url).send(['post', 'put', 'patch'].includes(method) ? {} : undefined);
      const where = `${method.toUpperCase()} ${path}`;
      const needsBearer = Boolean(op.security?.some((s) => 'bearer' in s));
      if (res.status === 401) expect({ where, needsBearer }).toEqual({ where, needsBearer: true });
      if (!needsBearer) expect({ where, status: res.status }).not.toEqual({ where, status: 401 });
    }
  });

  it('documents every error response as application/problem+json with the ProblemDetailsDto schema', () => {
    for (const { method, path, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        // The probes answer 503 in the @nestjs/terminus shape that monitors expect, by contract.
        if (isProbe(path)) continue;
        const where = `${method.toUpperCase()} ${path} ${status}`;
        expect({ where, schema: response.content?.['application/problem+json']?.schema }).toEqual({ where, schema: { $ref: PROBLEM_REF } });
      }
    }
  });

  it('documents the 503 that a database outage gives on every operation that reads the database', () => {
    // OPTIONS /uploads (tus capabilities) answers from configuration alone.
    for (const { method, path, op } of operations.filter(({ path, method }) => !isProbe(path) && method !== 'options')) {
      const where = `${method.toUpperCase()} ${path}`;
      expect({ where, has503: '503' in op.responses }).toEqual({ where, has503: true });
    }
  });

  it('documents 429 with Retry-After on the rate-limited /auth routes', () => {
    for (const { path, op } of operations.filter(({ path }) => path.startsWith('/auth/'))) {
      expect({ path, headers: op.responses['429']?.headers }).toEqual({
        path,
        headers: expect.objectContaining({ 'Retry-After': expect.anything() }),
      });
    }
  });

  it('describes the problem-details body with every field of RFC 9457 and the API', () => {
    const schema = doc.components.schemas.ProblemDetailsDto;
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance', 'code', 'requestId', 'errors']),
    );
    expect(schema.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance', 'code', 'requestId']));
    expect(schema.required).not.toContain('errors');
  });

  it('documents the JSON bodies of the auth routes', () => {
    const body = (path: string) => doc.paths[path].post.requestBody?.content['application/json']?.schema;
    expect(body('/auth/register')).toEqual({ $ref: '#/components/schemas/CredentialsDto' });
    expect(body('/auth/login')).toEqual({ $ref: '#/components/schemas/CredentialsDto' });
    expect(doc.components.schemas.CredentialsDto).toMatchObject({
      required: expect.arrayContaining(['email', 'password']),
      properties: {
        email: expect.objectContaining({ type: 'string' }),
        password: expect.objectContaining({ type: 'string', minLength: 8, maxLength: 128 }),
      },
    });
    expect(body('/auth/refresh')).toEqual({ $ref: '#/components/schemas/RefreshTokenDto' });
    expect(body('/auth/logout')).toEqual({ $ref: '#/components/schemas/RefreshTokenDto' });
  });

  it('documents the uploads as multipart/form-data with a binary file part', async () => {
    const resolved = (await SwaggerParser.dereference(structuredClone(doc) as never)) as unknown as Document;
    for (const path of ['/images', '/upload']) {
      const schema = resolved.paths[path].post.requestBody?.content['multipart/form-data']?.schema;
      expect({ path, file: schema?.properties?.file }).toEqual({
        path,
        file: expect.objectContaining({ type: 'string', format: 'binary' }),
      });
      expect(schema?.required).toContain('file');
    }
  });

  it('gives every JSON success response a schema, wrapped in data', async () => {
    const resolved = (await SwaggerParser.dereference(structuredClone(doc) as never)) as unknown as Document;
    for (const [path, item] of Object.entries(resolved.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (isProbe(path)) continue;
        for (const [status, response] of Object.entries(op.responses)) {
          const schema = response.content?.['application/json']?.schema;
          if (Number(status) >= 300 || !schema) continue;
          expect({ where: `${method} ${path} ${status}`, data: schema.properties?.data !== undefined }).toEqual({
            where: `${method} ${path} ${status}`,
            data: true,
          });
        }
      }
    }
  });

  it('marks the compat routes deprecated, under the compat tag', () => {
    const compat = operations.filter(({ op }) => op.tags?.includes('compat'));
    expect(compat.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort()).toEqual([
      'DELETE /image/{id}',
      'GET /image/{id}',
      'POST /upload',
    ]);
    for (const { op } of compat) expect(op.deprecated).toBe(true);
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await t.http.get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/swagger-ui/i);
  });
});

/** /health, /health/ready, /health/live: the terminus shape, outside the envelope and problem details. */
function isProbe(path: string): boolean {
  return path === '/health' || path.startsWith('/health/');
}
