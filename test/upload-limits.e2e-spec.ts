import type { Server } from 'node:http';
import { makeImage } from './support/images';
import { expectNoInternals } from './support/problem-details';
import { RawAnswer, multipartFrame, rawUpload } from './support/raw-http';
import { createTestApp, TestApp } from './support/test-app';
import { Leftovers, leftovers, listeningPort, uploadImage } from './support/uploads';
import { registerUser, TestUser } from './support/users';

const MB = 1024 * 1024;
const LIMIT = 5 * MB;

/** The problem+json answer, written before the body was read, on a connection the server closed. */
function expectRawProblem(answer: RawAnswer, status: number, code: string): void {
  expect({ status: answer.status, type: answer.headers['content-type'] }).toEqual({
    status,
    type: expect.stringMatching(/^application\/problem\+json/),
  });
  const body = JSON.parse(answer.body);
  expect(body).toMatchObject({ type: 'about:blank', status, code, requestId: answer.headers['x-request-id'] });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expectNoInternals(answer.body);
  expect(answer.headers.connection).toBe('close');
  expect(answer.closed).toBe(true);
  if (status === 401) expect(answer.headers['www-authenticate']).toMatch(/^Bearer\b/);
}

describe('upload cut-off: MAX_CONTENT_LENGTH=5MB, Content-Length and Expect: 100-continue', () => {
  let t: TestApp;
  let user: TestUser;
  let server: Server;
  let port: number;
  let png: Buffer;
  let before: Leftovers;

  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_CONTENT_LENGTH: '5MB' } });
    user = await registerUser(t);
    server = t.app.getHttpServer();
    port = await listeningPort(t);
    png = await makeImage('png');
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    before = await leftovers(t);
  });

  it('a streamed 100 MiB body (chunked, no Content-Length) → 413 FILE_TOO_LARGE within ~1 MB past the limit, connection closed, nothing kept', async () => {
    const frame = multipartFrame('huge.png');
    const answer = await rawUpload(server, port, {
      headers: { ...user.auth, 'Content-Type': frame.contentType, 'Transfer-Encoding': 'chunked' },
      head: frame.head,
      fill: 100 * MB,
      tail: frame.tail,
    });
    expectRawProblem(answer, 413, 'FILE_TOO_LARGE');
    const beyond = answer.serverRead - LIMIT;
    process.stdout.write(
      `cut-off: server read ${answer.serverRead} bytes (${beyond} beyond the limit); client handed ${answer.clientWritten} to its kernel\n`,
    );
    expect(answer.serverRead).toBeGreaterThan(LIMIT);
    expect(beyond).toBeLessThanOrEqual(1 * MB);
    await expect(leftovers(t)).resolves.toEqual(before);
    await t.http.get('/health').expect(200);
  });

  it('a Content-Length over the limit (headers only, no body) → 413 FILE_TOO_LARGE before the body', async () => {
    const frame = multipartFrame('announced.png');
    const answer = await rawUpload(server, port, {
      headers: { ...user.auth, 'Content-Type': frame.contentType, 'Content-Length': 100 * MB },
    });
    expectRawProblem(answer, 413, 'FILE_TOO_LARGE');
    expect(answer.serverRead).toBeLessThan(4096);
    await expect(leftovers(t)).resolves.toEqual(before);
  });

  it('a Content-Length within the limit plus the multipart overhead is read, and cut off at the file limit', async () => {
    const frame = multipartFrame('slightly-over.png');
    const fill = LIMIT + 512 * 1024;
    const answer = await rawUpload(server, port, {
      headers: { ...user.auth, 'Content-Type': frame.contentType, 'Content-Length': frame.head.length + fill + frame.tail.length },
      head: frame.head,
      fill,
      tail: frame.tail,
    });
    expectRawProblem(answer, 413, 'FILE_TOO_LARGE');
    await expect(leftovers(t)).resolves.toEqual(before);
  });

  describe('Expect: 100-continue', () => {
    it('without a token → 401 and no 100 Continue', async () => {
      const frame = multipartFrame('no-token.png');
      const answer = await rawUpload(server, port, {
        headers: { 'Content-Type': frame.contentType, 'Content-Length': 1000, Expect: '100-continue' },
        waitForContinue: true,
      });
      expect(answer.sawContinue).toBe(false);
      expectRawProblem(answer, 401, 'UNAUTHORIZED');
      expect(answer.serverRead).toBeLessThan(4096);
    });

    it('with a forged token → 401 and no 100 Continue (also on the seed alias POST /upload)', async () => {
      const frame = multipartFrame('forged.png');
      const answer = await rawUpload(server, port, {
        path: '/upload',
        headers: {
          Authorization: `${user.auth.Authorization}x`,
          'Content-Type': frame.contentType,
          'Content-Length': 1000,
          Expect: '100-continue',
        },
        waitForContinue: true,
      });
      expect(answer.sawContinue).toBe(false);
      expectRawProblem(answer, 401, 'UNAUTHORIZED');
    });

    it('with a token but a 1 GB Content-Length → 413 FILE_TOO_LARGE and no 100 Continue', async () => {
      const frame = multipartFrame('too-big.png');
      const answer = await rawUpload(server, port, {
        headers: { ...user.auth, 'Content-Type': frame.contentType, 'Content-Length': 1024 * MB, Expect: '100-continue' },
        waitForContinue: true,
      });
      expect(answer.sawContinue).toBe(false);
      expectRawProblem(answer, 413, 'FILE_TOO_LARGE');
      expect(answer.serverRead).toBeLessThan(4096);
    });

    it('with a token and a length that fits → 100 Continue, then 201', async () => {
      const frame = multipartFrame('fine.png');
      const body = Buffer.concat([frame.head, png, frame.tail]);
      const answer = await rawUpload(server, port, {
        headers: { ...user.auth, 'Content-Type': frame.contentType, 'Content-Length': body.length, Expect: '100-continue' },
        head: body,
        waitForContinue: true,
      });
      expect(answer.sawContinue).toBe(true);
      expect(answer.status).toBe(201);
      expect(JSON.parse(answer.body).data).toMatchObject({ size: png.length, ownerId: user.id });
    });

    it('on other routes → 100 Continue and the usual answer', async () => {
      const body = Buffer.from(JSON.stringify({ email: 'nobody@example.com', password: 'wrong password!' }));
      const answer = await rawUpload(server, port, {
        path: '/auth/login',
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, Expect: '100-continue' },
        head: body,
        waitForContinue: true,
      });
      expect(answer.sawContinue).toBe(true);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body).code).toBe('INVALID_CREDENTIALS');
    });
  });

  describe('GET /auth/me without a quota', () => {
    it('shows quotaBytes null and the usage of the caller’s originals, after uploads and deletes', async () => {
      const owner = await registerUser(t);
      const empty = await t.http.get('/auth/me').set(owner.auth).expect(200);
      expect(empty.body.data).toMatchObject({ id: owner.id, usage: { images: 0, bytes: 0 }, quotaBytes: null });
      const jpeg = await makeImage('jpeg');
      const [a, b] = [await uploadImage(t, owner, png, 'a.png'), await uploadImage(t, owner, jpeg, 'b.jpg')];
      const two = await t.http.get('/auth/me').set(owner.auth).expect(200);
      expect(two.body.data).toMatchObject({ usage: { images: 2, bytes: png.length + jpeg.length }, quotaBytes: null });
      await t.http.delete(`/images/${a.id}`).set(owner.auth).expect(204);
      const one = await t.http.get('/auth/me').set(owner.auth).expect(200);
      expect(one.body.data.usage).toEqual({ images: 1, bytes: b.size });
      // Another user's images do not count.
      const other = await t.http.get('/auth/me').set(user.auth).expect(200);
      expect(other.body.data.usage.images).toBeGreaterThanOrEqual(1);
      expect(other.body.data.usage.bytes).not.toBe(b.size);
    });
  });
});
