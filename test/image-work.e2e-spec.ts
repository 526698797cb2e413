import { ImageTransformer } from '../src/images/variants/image-transformer';
import { ImageWorkScheduler } from '../src/images/work/image-work-scheduler';
import { makeImage, pngWithClaimedSize } from './support/images';
import { expectProblem } from './support/problem-details';
import { TestApp, createTestApp } from './support/test-app';
import { eventually, leftovers, upload, uploadImage } from './support/uploads';
import { TestUser, registerUser } from './support/users';
import { getBytes, variantFiles, variantRows } from './support/variants';

/**
 * Holds the first variant computation until released (a test hook in the transformer; database and
 * storage stay real) and records the order in which computations start. With one slot, jobs run one
 * at a time, so the start order is the completion order.
 */
function holdFirstTransform(t: TestApp) {
  const transformer = t.app.get(ImageTransformer);
  const render = transformer.render.bind(transformer);
  const order: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let first = true;
  const spy = jest.spyOn(transformer, 'render').mockImplementation(async (key, params) => {
    order.push(key);
    if (first) {
      first = false;
      await released;
    }
    return render(key, params);
  });
  return { order, release, restore: () => spy.mockRestore() };
}

const send = (t: TestApp, user: TestUser, url: string) => getBytes(t, url, user.auth).then((r) => r);

describe('image work: one fair, bounded queue', () => {
  describe('fairness', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { MAX_CONCURRENT_IMAGE_WORK: '1', MAX_QUEUED_IMAGE_WORK: '64' } });
    });
    afterAll(async () => {
      await t.close();
    });

    it("runs user B's first variant right after A's running one, not behind A's 20 queued", async () => {
      const scheduler = t.app.get(ImageWorkScheduler);
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const aImage = (await uploadImage(t, a, await makeImage('png', 200, 150), 'a.png')).id;
      const bImage = (await uploadImage(t, b, await makeImage('png', 200, 150), 'b.png')).id;
      const hold = holdFirstTransform(t);
      const aRequests = Array.from({ length: 21 }, (_, i) => send(t, a, `/images/${aImage}/content?w=${i + 10}`));
      await eventually(async () => expect(scheduler.stats()).toMatchObject({ running: 1, queued: 20 }));
      const bRequest = send(t, b, `/images/${bImage}/content?w=10`);
      await eventually(async () => expect(scheduler.stats().queued).toBe(21));
      hold.release();
      const responses = await Promise.all([...aRequests, bRequest]);
      hold.restore();
      expect(responses.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
      const owners = hold.order.map((key) => (key === `images/${bImage}` ? 'B' : 'A'));
      // A's running job, then B's first: B waits for at most A's next, never A's whole backlog.
      expect(owners.indexOf('B')).toBeLessThanOrEqual(2);
      expect(owners.indexOf('B')).toBe(1);
      expect(owners).toHaveLength(22);
      expect(scheduler.stats()).toMatchObject({ running: 0, queued: 0 });
    });
  });

  describe('SERVICE_BUSY', () => {
    let t: TestApp;
    let user: TestUser;

    beforeAll(async () => {
      t = await createTestApp({ env: { MAX_CONCURRENT_IMAGE_WORK: '1', MAX_QUEUED_IMAGE_WORK: '1' } });
      user = await registerUser(t);
    });
    afterAll(async () => {
      await t.close();
    });

    it('refuses variants and uploads past the queue with 503 SERVICE_BUSY and Retry-After, leaving nothing', async () => {
      const scheduler = t.app.get(ImageWorkScheduler);
      const id = (await uploadImage(t, user, await makeImage('png', 80, 60), 'busy.png')).id;
      const before = await leftovers(t);
      const hold = holdFirstTransform(t);
      const running = send(t, user, `/images/${id}/content?w=10`);
      await eventually(async () => expect(scheduler.stats().running).toBe(1));
      const queued = send(t, user, `/images/${id}/content?w=11`);
      await eventually(async () => expect(scheduler.stats().queued).toBe(1));

      const refused = await t.http.get(`/images/${id}/content?w=12`).set(user.auth);
      expectProblem(refused, 503, 'SERVICE_BUSY');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const refusedUpload = await upload(t, user, await makeImage('png', 20, 20), 'later.png');
      expectProblem(refusedUpload, 503, 'SERVICE_BUSY');
      expect(Number(refusedUpload.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(scheduler.stats().rejected).toBe(2);
      // A header over the limits is refused by the header alone, read before a slot is taken: 422, not 503.
      expectProblem(await upload(t, user, pngWithClaimedSize(30000, 30000), 'huge.png'), 422, 'IMAGE_DIMENSIONS_TOO_LARGE');
      expect(scheduler.stats()).toMatchObject({ running: 1, queued: 1, rejected: 2 });

      hold.release();
      expect([(await running).status, (await queued).status]).toEqual([200, 200]);
      hold.restore();
      expect((await variantRows(t, id)).map((r) => r.params_key).sort()).toEqual(['w=10&h=8', 'w=11&h=8']);
      await expect(variantFiles(t, id)).resolves.toHaveLength(2);
      // The refused variant did not use up the rate budget either.
      const creations: unknown[] = await t.dataSource.query('SELECT * FROM variant_creations');
      expect(creations).toHaveLength(2);
      const after = await leftovers(t);
      expect(after.rows).toBe(before.rows);
      expect(after.files.filter((f) => !f.startsWith('variants/'))).toEqual(before.files);
    });

    it('drops a queued variant whose client went away', async () => {
      const scheduler = t.app.get(ImageWorkScheduler);
      const id = (await uploadImage(t, user, await makeImage('png', 80, 60), 'gone.png')).id;
      const hold = holdFirstTransform(t);
      const running = send(t, user, `/images/${id}/content?w=20`);
      await eventually(async () => expect(scheduler.stats().running).toBe(1));
      const abandoned = t.http.get(`/images/${id}/content?w=21`).set(user.auth);
      abandoned.then(
        () => undefined,
        () => undefined,
      );
      await eventually(async () => expect(scheduler.stats().queued).toBe(1));
      abandoned.abort();
      await eventually(async () => expect(scheduler.stats().queued).toBe(0));
      hold.release();
      expect((await running).status).toBe(200);
      hold.restore();
      expect(hold.order).toHaveLength(1);
      expect((await variantRows(t, id)).map((r) => r.params_key)).toEqual(['w=20&h=15']);
    });
  });
});
