import { expectNoInternals, expectProblem } from './support/problem-details';
import { TestApp, createTestApp } from './support/test-app';
import { registerUser, uniqueEmail } from './support/users';

describe('errors', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_RATE_LIMIT: '100000' } });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('unknown routes and methods', () => {
    it.each([
      ['GET', '/nope'],
      ['GET', '/auth'],
      ['POST', '/does/not/exist?x=1'],
      ['GET', '/auth/login'],
      ['PUT', '/auth/me'],
      ['DELETE', '/health'],
      ['PATCH', '/images'],
    ])('%s %s → 404 NOT_FOUND as problem+json', async (method, path) => {
      const res = await t.http[method.toLowerCase() as 'get'](path);
      expectProblem(res, 404, 'NOT_FOUND');
      expect(res.body.title).toBe('Not Found');
      expect(res.body.instance).toBe(path.split('?')[0]);
    });

    it('answers an unknown route the same with or without a token', async () => {
      const user = await registerUser(t);
      const res = await t.http.get('/nope').set(user.auth);
      expectProblem(res, 404, 'NOT_FOUND');
    });

    it('does not echo the path in the detail (no reflected content)', async () => {
      const res = await t.http.get('/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
      expectProblem(res, 404, 'NOT_FOUND');
      expect(res.body.detail).not.toMatch(/script/i);
    });
  });

  describe('request bodies', () => {
    it.each([
      ['a truncated object', '{"email": "a@example.com", "password":'],
      ['single quotes', "{'email': 'a@example.com'}"],
      ['a trailing comma', '{"email": "a@example.com",}'],
      ['not JSON at all', 'email=a@example.com'],
    ])('answers malformed JSON (%s) with 400 MALFORMED_JSON', async (_name, body) => {
      const res = await t.http.post('/auth/login').set('Content-Type', 'application/json').send(body);
      expectProblem(res, 400, 'MALFORMED_JSON');
      expect(res.body.title).toBe('Bad Request');
      expect(res.body.detail).not.toMatch(/Unexpected token|position/i);
    });

    it('answers a JSON body over 100 KB with 413 PAYLOAD_TOO_LARGE', async () => {
      const body = JSON.stringify({ email: uniqueEmail(), password: 'x'.repeat(101 * 1024) });
      const res = await t.http.post('/auth/register').set('Content-Type', 'application/json').send(body);
      expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
      expect(res.body.title).toBe('Content Too Large');
    });

    it('still accepts a JSON body just under 100 KB (and then validates it)', async () => {
      const body = JSON.stringify({ email: uniqueEmail(), password: 'x'.repeat(99 * 1024) });
      const res = await t.http.post('/auth/register').set('Content-Type', 'application/json').send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual([{ field: 'password', message: expect.any(String) }]);
    });

    it('treats a JSON array or a bare value as an invalid body, not a crash', async () => {
      for (const body of ['[]', '"text"', 'null', '42']) {
        const res = await t.http.post('/auth/login').set('Content-Type', 'application/json').send(body);
        expect([400]).toContain(res.status);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expectNoInternals(res.text);
      }
    });

    it('answers a body that is not JSON (form-encoded) as a validation failure', async () => {
      const res = await t.http.post('/auth/login').type('form').send({ email: 'a@example.com', password: 'whatever1' });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expectNoInternals(res.text);
    });
  });

  describe('health', () => {
    it('GET /health → 200 in the terminus shape, without a token', async () => {
      const res = await t.http.get('/health');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        status: 'ok',
        info: { database: { status: 'up' }, storage: { status: 'up' } },
        error: {},
        details: { database: { status: 'up' }, storage: { status: 'up' } },
      });
    });
  });

  describe('security headers', () => {
    it('sends nosniff and no X-Powered-By on API responses', async () => {
      const res = await t.http.get('/nope');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-powered-by']).toBeUndefined();
    });
  });
});

describe('errors: backing services', () => {
  it('answers 503 SERVICE_UNAVAILABLE (problem+json) when the database is gone, and /health says so', async () => {
    const t = await createTestApp();
    try {
      const user = await registerUser(t);
      await t.dataSource.destroy();
      const res = await t.http.get('/auth/me').set(user.auth);
      expectProblem(res, 503, 'SERVICE_UNAVAILABLE');
      const health = await t.http.get('/health');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
      expectNoInternals(health.text);
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
