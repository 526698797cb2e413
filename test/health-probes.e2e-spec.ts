import { makeImage } from './support/images';
import { BreakableApp, createBreakableApp, sampleValue } from './support/metrics';
import { eventually, uploadImage } from './support/uploads';
import { registerUser } from './support/users';

const ALIVE = { status: 'ok', info: {}, error: {}, details: {} };

describe('liveness and readiness probes', () => {
  let b: BreakableApp;

  beforeAll(async () => {
    // One transform at a time and a large image, so transforms queue up behind each other.
    b = await createBreakableApp({ env: { MAX_CONCURRENT_IMAGE_WORK: '1', MAX_QUEUED_IMAGE_WORK: '2', MAX_CONTENT_LENGTH: '32MB' } });
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

  it('busy is not unhealthy: with the image-work queue full (visible in /metrics), ready stays 200', async () => {
    const user = await registerUser(b.t);
    const image = await uploadImage(b.t, user, await makeImage('png', 2400, 1800), 'large.png');
    // Distinct widths: each is its own variant, so none joins another's computation; AVIF keeps each busy long enough to watch.
    const transforms = Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        b.t.http
          .get(`/images/${image.id}/content?w=${1200 + i}&format=avif&q=90`)
          .set(user.auth)
          .then((res) => res.status),
      ),
    );
    const scrape = async () => (await b.t.http.get('/metrics').expect(200)).text;
    const queued = async () => sampleValue(await scrape(), 'image_work_queued') ?? 0;
    try {
      await eventually(
        async () => {
          // One runs, two wait (MAX_QUEUED_IMAGE_WORK), the rest were refused: the queue is full.
          expect(await queued()).toBe(2);
          await b.t.http.get('/health/ready').expect(200);
          expect(await queued()).toBe(2);
        },
        20_000,
        10,
      );
    } finally {
      const statuses = await transforms;
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    }
    expect(await queued()).toBe(0);
    expect(sampleValue(await scrape(), 'image_work_rejected_total', { reason: 'queue_full' })).toBeGreaterThan(0);
  });
});
