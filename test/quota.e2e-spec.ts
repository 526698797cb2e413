import type { Server } from 'node:http';
import type { Response } from 'supertest';
import { pngOfExactSize } from './support/bad-images';
import { expectNoInternals, expectProblem } from './support/problem-details';
import { RawAnswer, multipartFrame, rawUpload } from './support/raw-http';
import { createTestApp, TestApp } from './support/test-app';
import { Leftovers, leftovers, listeningPort, upload, uploadImage } from './support/uploads';
import { registerUser, TestUser } from './support/users';

const KB = 1024;
const MB = 1024 * KB;
const QUOTA = 1 * MB;

function expectRawQuotaExceeded(answer: RawAnswer): void {
  expect({ status: answer.status, code: JSON.parse(answer.body).code }).toEqual({ status: 413, code: 'QUOTA_EXCEEDED' });
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(answer.body).requestId).toBe(answer.headers['x-request-id']);
  expectNoInternals(answer.body);
  expect(answer.headers.connection).toBe('close');
  expect(answer.closed).toBe(true);
}

describe('USER_QUOTA_BYTES=1MB (MAX_CONTENT_LENGTH 5MB)', () => {
  let t: TestApp;
  let server: Server;
  let port: number;
  let before: Leftovers;

  beforeAll(async () => {
    t = await createTestApp({ env: { USER_QUOTA_BYTES: '1MB', MAX_CONTENT_LENGTH: '5MB' } });
    server = t.app.getHttpServer();
    port = await listeningPort(t);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    before = await leftovers(t);
  });

  async function me(user: TestUser) {
    return (await t.http.get('/auth/me').set(user.auth).expect(200)).body.data;
  }

  async function expectQuotaExceeded(res: Response): Promise<void> {
    expectProblem(res, 413, 'QUOTA_EXCEEDED');
    await expect(leftovers(t)).resolves.toEqual(before);
  }

  /** A user who already keeps `bytes` of originals. */
  async function userUsing(bytes: number): Promise<TestUser> {
    const user = await registerUser(t);
    if (bytes) await uploadImage(t, user, await pngOfExactSize(bytes), 'filler.png');
    before = await leftovers(t);
    return user;
  }

  it('an upload within the quota → 201; /auth/me shows the usage and quotaBytes', async () => {
    const user = await userUsing(0);
    expect(await me(user)).toMatchObject({ usage: { images: 0, bytes: 0 }, quotaBytes: QUOTA });
    const file = await pngOfExactSize(300 * KB);
    await uploadImage(t, user, file, 'fits.png');
    expect(await me(user)).toMatchObject({ usage: { images: 1, bytes: 300 * KB }, quotaBytes: QUOTA });
  });

  it('a file that fills the quota exactly → 201; then one byte more of any file → 413 QUOTA_EXCEEDED, nothing kept', async () => {
    const user = await userUsing(QUOTA - 100 * KB);
    await uploadImage(t, user, await pngOfExactSize(100 * KB), 'exact.png');
    before = await leftovers(t);
    await expectQuotaExceeded(await upload(t, user, await pngOfExactSize(1000), 'one-more.png'));
    expect((await me(user)).usage).toEqual({ images: 2, bytes: QUOTA });
  });

  it('a file larger than what is left (Content-Length within the overhead allowance) → 413 QUOTA_EXCEEDED while streaming, nothing kept', async () => {
    const user = await userUsing(800 * KB);
    await expectQuotaExceeded(await upload(t, user, await pngOfExactSize(600 * KB), 'too-much.png'));
    expect((await me(user)).usage).toEqual({ images: 1, bytes: 800 * KB });
  });

  it('a Content-Length that cannot fit what is left (headers only) → 413 QUOTA_EXCEEDED before the body', async () => {
    const user = await userUsing(800 * KB);
    const frame = multipartFrame('announced.png');
    const answer = await rawUpload(server, port, {
      headers: { ...user.auth, 'Content-Type': frame.contentType, 'Content-Length': 3 * MB },
    });
    expectRawQuotaExceeded(answer);
    expect(answer.serverRead).toBeLessThan(4096);
    await expect(leftovers(t)).resolves.toEqual(before);
  });

  it('a chunked body (no Content-Length) past what is left → 413 QUOTA_EXCEEDED, cut off near the quota, nothing kept', async () => {
    const user = await userUsing(800 * KB);
    const frame = multipartFrame('streamed.png');
    const answer = await rawUpload(server, port, {
      headers: { ...user.auth, 'Content-Type': frame.contentType, 'Transfer-Encoding': 'chunked' },
      head: frame.head,
      fill: 50 * MB,
      tail: frame.tail,
    });
    expectRawQuotaExceeded(answer);
    expect(answer.serverRead - 224 * KB).toBeLessThanOrEqual(1 * MB);
    await expect(leftovers(t)).resolves.toEqual(before);
  });

  it('Expect: 100-continue with a Content-Length that cannot fit the quota → 413 QUOTA_EXCEEDED and no 100 Continue', async () => {
    const user = await userUsing(800 * KB);
    const frame = multipartFrame('expect.png');
    const answer = await rawUpload(server, port, {
      headers: { ...user.auth, 'Content-Type': frame.contentType, 'Content-Length': 3 * MB, Expect: '100-continue' },
      waitForContinue: true,
    });
    expect(answer.sawContinue).toBe(false);
    expectRawQuotaExceeded(answer);
  });

  it('a delete frees its bytes: the next upload fits again, and /auth/me follows', async () => {
    const user = await userUsing(0);
    const big = await uploadImage(t, user, await pngOfExactSize(700 * KB), 'big.png');
    const next = await pngOfExactSize(500 * KB);
    expectProblem(await upload(t, user, next, 'refused.png'), 413, 'QUOTA_EXCEEDED');
    await t.http.delete(`/images/${big.id}`).set(user.auth).expect(204);
    expect((await me(user)).usage).toEqual({ images: 0, bytes: 0 });
    await uploadImage(t, user, next, 'now-fits.png');
    expect((await me(user)).usage).toEqual({ images: 1, bytes: 500 * KB });
  });

  it('10 concurrent uploads straddling the quota: exactly as many as fit are kept, the rest 413 QUOTA_EXCEEDED', async () => {
    const user = await userUsing(0);
    const file = await pngOfExactSize(150 * KB);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => upload(t, user, file, `race-${i}.png`)));
    const created = responses.filter((r) => r.status === 201);
    for (const r of responses.filter((x) => x.status !== 201)) expectProblem(r, 413, 'QUOTA_EXCEEDED');
    // 6 × 150 KB fit in 1 MB, a 7th would not: the check at insert is atomic, so never more.
    expect(created).toHaveLength(Math.floor(QUOTA / file.length));
    const usage = (await me(user)).usage;
    expect(usage).toEqual({ images: created.length, bytes: created.length * file.length });
    expect(usage.bytes).toBeLessThanOrEqual(QUOTA);
    const kept = created.map((r) => `images/${r.body.data.id}`);
    await expect(leftovers(t)).resolves.toEqual({ files: [...before.files, ...kept].sort(), rows: before.rows + created.length });
  });

  it("another user's images do not count against the quota", async () => {
    await userUsing(QUOTA);
    const other = await userUsing(0);
    await uploadImage(t, other, await pngOfExactSize(QUOTA), 'mine.png');
  });
});
