import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { buildOpenApiDocument } from '../src/app.setup';
import { HttpMetrics } from '../src/metrics/http-metrics';
import { makeImage } from './support/images';
import { createBreakableApp, BreakableApp, labelValues, sampleValue } from './support/metrics';
import { expectProblem } from './support/problem-details';
import { createTestApp, TestApp } from './support/test-app';
import { eventually, listeningPort, upload, uploadImage } from './support/uploads';
import { registerUser, TestUser } from './support/users';

const TOKEN = 'metrics-token-0123456789abcdef';

async function scrape(t: TestApp, token?: string): Promise<string> {
  const req = t.http.get('/metrics');
  const res = await (token ? req.set('Authorization', `Bearer ${token}`) : req).expect(200);
  return res.text;
}

/** Starts a multipart upload that announces more bytes than it sends, then drops the connection. */
async function abortedUpload(t: TestApp, user: TestUser): Promise<void> {
  const port = await listeningPort(t);
  const boundary = 'aborted-upload';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`;
  await new Promise<void>((resolve) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/images',
      headers: { ...user.auth, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(1024 * 1024) },
    });
    req.on('error', () => resolve());
    req.write(head);
    req.write(randomBytes(64 * 1024), () => setTimeout(() => (req.destroy(), resolve()), 100));
  });
}

describe('GET /metrics', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_CONTENT_LENGTH: '64KB' } });
    user = await registerUser(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers the Prometheus text format with the Node process defaults, outside the OpenAPI document', async () => {
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; (charset=utf-8; )?version=0\.0\.4/);
    expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(res.text).toContain('# TYPE image_uploads_total counter');
    expect(res.text).toContain('# TYPE image_work_queued gauge');
    expect(sampleValue(res.text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(res.text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(sampleValue(res.text, 'image_work_queued')).toBe(0);
    const doc = buildOpenApiDocument(t.app);
    expect(Object.keys(doc.paths).filter((p) => p.includes('metrics'))).toEqual([]);
  });

  it('labels requests by route template, method and status: never a raw path or id', async () => {
    const image = await uploadImage(t, user, await makeImage('png'), 'a.png');
    await t.http.get(`/images/${image.id}`).set(user.auth).expect(200);
    await t.http.get(`/images/${image.id}`).set(user.auth).expect(200);
    const unknownId = randomUUID();
    await t.http.get(`/images/${unknownId}`).set(user.auth).expect(404);
    const strayPath = `/no-such-route/${randomUUID()}`;
    await t.http.get(strayPath).expect(404);

    const text = await scrape(t);
    const count = (labels: Record<string, string>) => sampleValue(text, 'http_request_duration_seconds_count', labels);
    expect(count({ route: '/images/:id', method: 'GET', status: '200' })).toBe(2);
    expect(count({ route: '/images/:id', method: 'GET', status: '404' })).toBe(1);
    expect(count({ route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
    expect(count({ route: '/images', method: 'POST', status: '201' })).toBeGreaterThanOrEqual(1);
    for (const raw of [image.id, unknownId, strayPath]) expect(text).not.toContain(raw);
    const routes = labelValues(text, 'http_request_duration_seconds_count', 'route');
    expect(routes.every((r) => r === 'unmatched' || r.startsWith('/'))).toBe(true);
    expect(sampleValue(text, 'http_received_bytes_total', { route: '/images' })).toBeGreaterThan(0);
    expect(sampleValue(text, 'http_sent_bytes_total', { route: '/images/:id' })).toBeGreaterThan(0);
  });

  it('counts uploads by outcome code, on both upload routes, aborted ones included', async () => {
    const before = await scrape(t);
    const codeCount = (text: string, code: string) => sampleValue(text, 'image_uploads_total', { code }) ?? 0;
    await uploadImage(t, user, await makeImage('jpeg'), 'b.jpg');
    await upload(t, user, await makeImage('gif'), 'c.gif', '/upload').expect(201);
    await upload(t, user, Buffer.from('not an image'), 'd.txt').expect(415);
    await upload(t, user, randomBytes(100 * 1024), 'e.png').expect(413);
    await t.http
      .post('/images')
      .attach('file', await makeImage('png'), 'f.png')
      .expect(401);
    await abortedUpload(t, user);

    await eventually(async () => {
      const after = await scrape(t);
      const delta = (code: string) => codeCount(after, code) - codeCount(before, code);
      expect({
        created: delta('created'),
        UNSUPPORTED_FILE_TYPE: delta('UNSUPPORTED_FILE_TYPE'),
        FILE_TOO_LARGE: delta('FILE_TOO_LARGE'),
        UNAUTHORIZED: delta('UNAUTHORIZED'),
        CLIENT_ABORTED: delta('CLIENT_ABORTED'),
      }).toEqual({ created: 2, UNSUPPORTED_FILE_TYPE: 1, FILE_TOO_LARGE: 1, UNAUTHORIZED: 1, CLIENT_ABORTED: 1 });
      expect(sampleValue(after, 'http_request_duration_seconds_count', { route: '/images', method: 'POST', status: '499' })).toBe(1);
    });
  });

  it('counts variant hits and misses', async () => {
    const image = await uploadImage(t, user, await makeImage('png', 80, 60), 'v.png');
    const before = await scrape(t);
    await t.http.get(`/images/${image.id}/content?w=20`).set(user.auth).expect(200);
    await t.http.get(`/images/${image.id}/content?w=20`).set(user.auth).expect(200);
    await t.http.get(`/images/${image.id}/content?w=20`).set(user.auth).expect(200);
    const after = await scrape(t);
    const delta = (result: string) =>
      (sampleValue(after, 'image_variant_requests_total', { result }) ?? 0) -
      (sampleValue(before, 'image_variant_requests_total', { result }) ?? 0);
    expect({ miss: delta('miss'), hit: delta('hit') }).toEqual({ miss: 1, hit: 2 });
    expect(sampleValue(after, 'image_variant_evictions_total')).toBe(0);
  });
});

describe('GET /metrics: database and storage errors', () => {
  let b: BreakableApp;
  let user: TestUser;

  beforeAll(async () => {
    b = await createBreakableApp();
    user = await registerUser(b.t);
  });
  afterAll(async () => {
    if (b && !b.t.dataSource.isInitialized) await b.t.dataSource.initialize();
    await b?.close();
  });

  it('counts each request that failed on an unavailable database or storage, by backend', async () => {
    const image = await uploadImage(b.t, user, await makeImage('png'), 'a.png');
    const errors = async (backend: string) => sampleValue(await scrape(b.t), 'backend_unavailable_errors_total', { backend }) ?? 0;
    expect(await errors('storage')).toBe(0);

    const restore = await b.storageOutage();
    try {
      expectProblem(await b.t.http.get(`/images/${image.id}/content`).set(user.auth), 503, 'SERVICE_UNAVAILABLE');
      expectProblem(await upload(b.t, user, await makeImage('png'), 'b.png'), 503, 'SERVICE_UNAVAILABLE');
    } finally {
      await restore();
    }
    expect(await errors('storage')).toBe(2);

    await b.t.dataSource.destroy();
    try {
      // A listing always reads the database (a row read by id may be answered from the last second's read).
      expectProblem(await b.t.http.get('/images').set(user.auth), 503, 'SERVICE_UNAVAILABLE');
    } finally {
      await b.t.dataSource.initialize();
    }
    expect(await errors('database')).toBe(1);
    expect(await errors('storage')).toBe(2);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('needs Authorization: Bearer <METRICS_TOKEN>; anything else is a 401 problem', async () => {
    expectProblem(await t.http.get('/metrics'), 401, 'UNAUTHORIZED');
    expectProblem(await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}x`), 401, 'UNAUTHORIZED');
    expectProblem(await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN.slice(0, -1)}`), 401, 'UNAUTHORIZED');
    expectProblem(await t.http.get('/metrics').set('Authorization', TOKEN), 401, 'UNAUTHORIZED');
    const user = await registerUser(t);
    expectProblem(await t.http.get('/metrics').set(user.auth), 401, 'UNAUTHORIZED');
    expect(await scrape(t, TOKEN)).toContain('http_request_duration_seconds_bucket');
  });
});

describe('METRICS_ENABLED=false', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_ENABLED: 'false', METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('makes /metrics a 404 like any unknown route, with or without the token', async () => {
    const unknown = await t.http.get('/no-such-route');
    for (const res of [await t.http.get('/metrics'), await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`)]) {
      expectProblem(res, 404, 'NOT_FOUND');
      expect({ ...res.body, instance: '', requestId: '' }).toEqual({ ...unknown.body, instance: '', requestId: '' });
    }
  });

  it('does not time requests at all, while the rest of the app-wide middleware still runs', async () => {
    const observe = jest.spyOn(t.app.get(HttpMetrics), 'observe');
    try {
      const res = await t.http.get('/health/live').set('X-Request-Id', 'untimed-1');
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBe('untimed-1');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(observe).not.toHaveBeenCalled();
    } finally {
      observe.mockRestore();
    }
  });
});
