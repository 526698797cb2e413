import { makeImage } from './support/images';
import { BreakableApp, createBreakableApp, sampleValue } from './support/metrics';
import { eventually, uploadImage } from './support/uploads';
import { registerUser } from './support/users';

const ALIVE = { status: 'ok', info: {}, error: {}, details: {} };

describe('liveness and readiness probes', () => {
  let b: BreakableApp;

  beforeAll(async () => {
    // One transform at a time and a large image, so transforms queue up behind each other.
    b = await createBreakableApp({ env: { MAX_CONCURRENT_TRANSFORMS: '1', MAX_CONTENT_LENGTH: '32MB' } });
  });
  afterAll(async () => {
    if (b && !b.t.dataSource.isInitialized) await b.t.dataSource.initialize();
    await b?.close();
  });

  it('all healthy: /health/live is 200; /health/ready answers exactly what /health answers', async () => {
    expect((await b.t.http.get('/health/live').expect(200)).body).toEqual(ALIVE);
    const ready = await b.t.http.get('/health/ready').expect(200);
    const health = await b.t.http.get('/health').expect(200);
    expect(ready.body).toEqual(health.body);
    expect(ready.body.details).toEqual({ database: { status: 'up' }, storage: { status: 'up' } });
  });

  it('database down: live stays 200 while ready (and /health) are 503 naming the database', async () => {
    await b.t.dataSource.destroy();
    try {
      expect((await b.t.http.get('/health/live').expect(200)).body).toEqual(ALIVE);
      for (const path of ['/health/ready', '/health']) {
        const res = await b.t.http.get(path).expect(503);
        expect(res.body).toMatchObject({ status: 'error', details: { database: { status: 'down' } } });
      }
    } finally {
      await b.t.dataSource.initialize();
    }
    await b.t.http.get('/health/ready').expect(200);
  });

  it('storage down: live stays 200 while ready is 503 naming the storage', async () => {
    const restore = await b.storageOutage();
    try {
      await b.t.http.get('/health/live').expect(200);
      const res = await b.t.http.get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ status: 'error', details: { storage: { status: 'down' } } });
    } finally {
      await restore();
    }
    await eventually(async () => void (await b.t.http.get('/health/ready').expect(200)), 20_000, 100);
  });

  it('busy is not unhealthy: with image work queued (visible in /metrics), ready stays 200', async () => {
    const user = await registerUser(b.t);
    const image = await uploadImage(b.t, user, await makeImage('png', 2400, 1800), 'large.png');
    // Distinct widths: each is its own variant, so none joins another's computation.
    const transforms = Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        b.t.http
          .get(`/images/${image.id}/content?w=${300 + i}&format=webp`)
          .set(user.auth)
          .expect(200),
      ),
    );
    const queued = async () => sampleValue((await b.t.http.get('/metrics').expect(200)).text, 'image_work_queued') ?? 0;
    try {
      await eventually(
        async () => {
          expect(await queued()).toBeGreaterThanOrEqual(1);
          await b.t.http.get('/health/ready').expect(200);
          expect(await queued()).toBeGreaterThanOrEqual(1);
        },
        20_000,
        10,
      );
    } finally {
      await transforms;
    }
    expect(await queued()).toBe(0);
  });
});
