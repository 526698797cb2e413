import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { makeImage } from './support/images';
import { createTestApp, TestApp } from './support/test-app';
import { eventually, listeningPort, uploadImage } from './support/uploads';
import { registerUser, TestUser } from './support/users';

type Line = Record<string, unknown> & {
  req?: { id?: string; url?: string; headers?: Record<string, string> };
  res?: { statusCode?: number };
};

/** A pino destination that keeps every line the app writes. */
function memoryDestination() {
  const lines: Line[] = [];
  return {
    lines,
    write: (chunk: string) =>
      void lines.push(
        ...chunk
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Line),
      ),
  };
}

describe('request logs', () => {
  let t: TestApp;
  let user: TestUser;
  const logs = memoryDestination();
  const requestLine = (url: string) => logs.lines.find((l) => l.req?.url === url && typeof l.responseTime === 'number');

  beforeAll(async () => {
    t = await createTestApp({ env: { LOG_LEVEL: 'info' }, logs });
    user = await registerUser(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('one JSON line per request with its id, user, route template, status and duration; the token redacted', async () => {
    const image = await uploadImage(t, user, await makeImage('png'), 'a.png');
    const res = await t.http.get(`/images/${image.id}`).set(user.auth).expect(200);
    const line = await eventually(async () => expect(requestLine(`/images/${image.id}`)).toBeDefined()).then(() =>
      requestLine(`/images/${image.id}`)!,
    );
    expect(line).toMatchObject({
      level: 30,
      msg: 'request completed',
      requestId: res.headers['x-request-id'],
      userId: user.id,
      route: '/images/:id',
      status: 200,
      res: { statusCode: 200 },
    });
    expect(line.req?.id).toBe(res.headers['x-request-id']);
    expect(line.responseTime).toEqual(expect.any(Number));
    expect(line.req?.headers?.authorization).toBe('[Redacted]');
  });

  it('a refused request is a warn line; an unknown path has the fixed route label and no user', async () => {
    const missing = `/images/${randomUUID()}`;
    await t.http.get(missing).set(user.auth).expect(404);
    const stray = `/no-such-route/${randomUUID()}`;
    await t.http.get(stray).expect(404);
    await eventually(async () => {
      expect(requestLine(missing)).toMatchObject({ level: 40, route: '/images/:id', status: 404, userId: user.id });
      expect(requestLine(stray)).toMatchObject({ level: 40, route: 'unmatched', status: 404 });
      expect(requestLine(stray)).not.toHaveProperty('userId');
    });
  });

  it('a client that aborts its upload is logged as 499 at warn, not as an error', async () => {
    const port = await listeningPort(t);
    const path = `/images?attempt=${randomUUID()}`;
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: { ...user.auth, 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': String(1024 * 1024) },
      });
      req.on('error', () => resolve());
      req.write('--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n');
      req.write(randomBytes(32 * 1024), () => setTimeout(() => (req.destroy(), resolve()), 100));
    });
    await eventually(async () => {
      expect(requestLine(path)).toMatchObject({ level: 40, route: '/images', status: 499, res: { statusCode: 499 }, userId: user.id });
    });
    expect(logs.lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });
  it('a 5xx is an error request line, and the error line the filter writes carries the same request id', async () => {
    const path = `/images?q=${randomUUID()}`;
    await t.dataSource.destroy();
    let res;
    try {
      res = await t.http.get(path).set(user.auth).expect(503);
    } finally {
      await t.dataSource.initialize();
    }
    const requestId = res.headers['x-request-id'] as string;
    await eventually(async () => {
      expect(requestLine(path)).toMatchObject({ level: 50, msg: 'request errored', route: '/images', status: 503, requestId });
      expect(requestLine(path)?.err).toMatchObject({ message: 'failed with status code 503' });
    });
    const errorLine = logs.lines.find((l) => l.context === 'Exceptions' && l.requestId === requestId);
    expect(errorLine).toMatchObject({ level: 50, msg: expect.stringMatching(/.+/) });
    expect(errorLine).not.toHaveProperty('res');
  });

  it('writes no request line below its level: LOG_LEVEL=warn keeps the 4xx and drops the 200', async () => {
    const quiet = memoryDestination();
    const w = await createTestApp({ env: { LOG_LEVEL: 'warn' }, logs: quiet });
    try {
      const someone = await registerUser(w);
      const missing = `/images/${randomUUID()}`;
      await w.http.get('/images').set(someone.auth).expect(200);
      await w.http.get(missing).set(someone.auth).expect(404);
      await eventually(async () => expect(quiet.lines.some((l) => l.req?.url === missing)).toBe(true));
      expect(quiet.lines.filter((l) => l.req?.url === '/images')).toEqual([]);
      expect(quiet.lines.every((l) => (l.level as number) >= 40)).toBe(true);
    } finally {
      await w.close();
    }
  });
});
