import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { makeImage } from './support/images';
import { expectNoInternals, expectProblem } from './support/problem-details';
import { baseEnv, ensureBuilt, freePort, start, waitForHealth } from './support/server-process';
import { createTestApp, TestApp } from './support/test-app';
import { Leftovers, leftovers, listeningPort, multipart, postMultipart } from './support/uploads';
import { registerUser, TestUser, uniqueEmail } from './support/users';

interface RawAnswer {
  status?: number;
  headers: Record<string, string>;
  body: string;
  /** When the server closed the connection, in ms after the first byte was sent. */
  closedAfterMs: number;
}

/**
 * Sends raw bytes over TCP (no client library to refuse or fix them), optionally trickled,
 * and collects whatever the server answers until it closes the connection.
 */
function rawExchange(port: number, chunks: Array<string | Buffer>, everyMs = 0, giveUpMs = 15_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const began = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${giveUpMs} ms`));
    }, giveUpMs);
    const sendFrom = (i: number) => {
      if (i >= chunks.length || socket.destroyed) return;
      socket.write(chunks[i], () => undefined);
      timer = setTimeout(() => sendFrom(i + 1), everyMs);
    };
    socket.on('connect', () => sendFrom(0));
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(giveUp);
      clearTimeout(timer);
      resolve(parseRaw(Buffer.concat(received).toString('utf8'), Date.now() - began));
    });
  });
}

function parseRaw(text: string, closedAfterMs: number): RawAnswer {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1];
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: status ? Number(status) : undefined, headers, body: rest.join('\r\n\r\n'), closedAfterMs };
}

/** A raw answer in the one problem+json format. */
function expectRawProblem(answer: RawAnswer, status: number, code: string): void {
  expect({ status: answer.status, type: answer.headers['content-type'] }).toEqual({ status, type: 'application/problem+json' });
  const body = JSON.parse(answer.body);
  expect(body).toMatchObject({ type: 'about:blank', status, code, requestId: answer.headers['x-request-id'] });
  expectNoInternals(answer.body);
}

describe('hostile input', () => {
  let t: TestApp;
  let user: TestUser;
  let png: Buffer;
  let before: Leftovers;

  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t);
    png = await makeImage('png');
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    before = await leftovers(t);
  });

  /** A problem+json 4xx and not one stored object or row more than before. */
  async function expectRejected(res: Response, status: number, code?: string): Promise<void> {
    expect(res.status).toBe(status);
    expectProblem(res, status, code ?? res.body.code);
    await expect(leftovers(t)).resolves.toEqual(before);
  }

  function sendRaw(contentType: string, body: Buffer | string) {
    return t.http.post('/images').set(user.auth).set('Content-Type', contentType).send(body);
  }

  describe('malformed multipart', () => {
    it('multipart/form-data with no boundary → 400 MALFORMED_MULTIPART', async () => {
      const { body } = multipart([{ name: 'file', filename: 'a.png', body: png }]);
      await expectRejected(await sendRaw('multipart/form-data', body), 400, 'MALFORMED_MULTIPART');
    });

    it('a final boundary cut off after its dashes (--boundary- and no CRLF) → 400, nothing kept', async () => {
      const { body, contentType } = multipart([{ name: 'file', filename: 'a.png', body: png }]);
      await expectRejected(await sendRaw(contentType, body.subarray(0, body.length - 3)), 400);
    });

    it('a boundary that never appears in the body → 400', async () => {
      const { body } = multipart([{ name: 'file', filename: 'a.png', body: png }]);
      await expectRejected(await sendRaw('multipart/form-data; boundary=not-in-the-body', body), 400);
    });

    it('a file part with name="" → 400 FILE_REQUIRED', async () => {
      const res = await postMultipart(t, user, [{ name: '', filename: 'a.png', body: png }]);
      await expectRejected(res, 400, 'FILE_REQUIRED');
    });

    it('part headers over 16 KB → 400 MALFORMED_MULTIPART', async () => {
      const boundary = 'hostile-boundary';
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nX-Padding: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
        ),
        png,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      await expectRejected(await sendRaw(`multipart/form-data; boundary=${boundary}`, body), 400, 'MALFORMED_MULTIPART');
    });

    it('hundreds of parts (500 fields, then the file) → 400 MALFORMED_MULTIPART', async () => {
      const fields = Array.from({ length: 500 }, (_, i) => ({ name: `f${i}`, body: 'x' }));
      const res = await postMultipart(t, user, [...fields, { name: 'file', filename: 'a.png', body: png }]);
      await expectRejected(res, 400, 'MALFORMED_MULTIPART');
    });

    it('the file, then hundreds of empty file parts → 400, nothing kept', async () => {
      const extra = Array.from({ length: 300 }, (_, i) => ({ name: `x${i}`, filename: `${i}.png`, body: '' }));
      const res = await postMultipart(t, user, [{ name: 'file', filename: 'a.png', body: png }, ...extra]);
      await expectRejected(res, 400);
    });

    it('a 2 MB text field beside the file → 413 PAYLOAD_TOO_LARGE, nothing kept', async () => {
      const res = await postMultipart(t, user, [
        { name: 'comment', body: 'x'.repeat(2 * 1024 * 1024) },
        { name: 'file', filename: 'a.png', body: png },
      ]);
      await expectRejected(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('a 2 MB text field after the file → 413 PAYLOAD_TOO_LARGE, nothing kept', async () => {
      const res = await postMultipart(t, user, [
        { name: 'file', filename: 'a.png', body: png },
        { name: 'comment', body: 'x'.repeat(2 * 1024 * 1024) },
      ]);
      await expectRejected(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('a file part with no filename and an image Content-Type is a text field → 400 FILE_REQUIRED', async () => {
      const res = await postMultipart(t, user, [{ name: 'file', contentType: 'image/png', body: png }]);
      await expectRejected(res, 400, 'FILE_REQUIRED');
    });

    it('a file part with no filename as application/octet-stream → 415 (no extension), nothing kept', async () => {
      const res = await postMultipart(t, user, [{ name: 'file', contentType: 'application/octet-stream', body: png }]);
      await expectRejected(res, 415, 'UNSUPPORTED_FILE_TYPE');
    });
  });

  describe('very long URLs and headers (node:http parser, on a listening port)', () => {
    // Node refuses these before Express runs (maxHeaderSize 16 KB); the app's clientError handler
    // answers them in problem+json instead of Node's bare `431` with no body.
    it('a 20 KB path → 431 HEADERS_TOO_LARGE problem+json, and the server still answers', async () => {
      const port = await listeningPort(t);
      const answer = await rawExchange(port, [`GET /images/${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`]);
      expectRawProblem(answer, 431, 'HEADERS_TOO_LARGE');
      await t.http.get('/health').expect(200);
    });

    it('one 20 KB header → 431 HEADERS_TOO_LARGE problem+json', async () => {
      const port = await listeningPort(t);
      const answer = await rawExchange(port, [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20 * 1024)}\r\n\r\n`]);
      expectRawProblem(answer, 431, 'HEADERS_TOO_LARGE');
    });

    it('400 headers of 100 bytes (40 KB) → 431 HEADERS_TOO_LARGE problem+json', async () => {
      const port = await listeningPort(t);
      const headers = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'c'.repeat(90)}\r\n`).join('');
      const answer = await rawExchange(port, [`GET /health HTTP/1.1\r\nHost: x\r\n${headers}\r\n`]);
      expectRawProblem(answer, 431, 'HEADERS_TOO_LARGE');
    });

    it('100 small headers (under 16 KB) are accepted', async () => {
      const headers = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x-h${i}`, 'v']));
      await t.http.get('/health').set(headers).expect(200);
    });

    it('a request line that is not HTTP → 400 problem+json', async () => {
      const port = await listeningPort(t);
      const answer = await rawExchange(port, ['GET /health HTTP/1.1\r\nHost: x\r\nBad Header With Spaces\r\n\r\n']);
      expectRawProblem(answer, 400, 'VALIDATION_FAILED');
    });
  });

  describe('JSON bodies', () => {
    it('10 000 levels of nested objects → 400 problem+json (no stack overflow)', async () => {
      const body = `{"email":"${uniqueEmail()}","password":"correct horse battery","x":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
      const res = await t.http.post('/auth/register').set('Content-Type', 'application/json').send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
    });

    it('10 000 levels of nested arrays → 400 problem+json', async () => {
      const body = `{"email":"${uniqueEmail()}","password":"correct horse battery","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
      const res = await t.http.post('/auth/login').set('Content-Type', 'application/json').send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
    });

    it.each([
      ['__proto__', (email: string) => `{"__proto__":{"admin":true,"role":"admin"},"email":"${email}","password":"correct horse battery"}`],
      [
        'constructor.prototype',
        (email: string) =>
          `{"constructor":{"prototype":{"admin":true,"role":"admin"}},"email":"${email}","password":"correct horse battery"}`,
      ],
      ['a nested __proto__', (email: string) => `{"email":"${email}","password":"correct horse battery","x":{"__proto__":{"admin":true}}}`],
    ])('%s keys → 400, and Object.prototype is not polluted', async (_name, make) => {
      const email = uniqueEmail();
      const res = await t.http.post('/auth/register').set('Content-Type', 'application/json').send(make(email));
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
      expect(({} as Record<string, unknown>).role).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('admin');
      // No account was made, so certainly no admin one.
      await t.http.post('/auth/login').send({ email, password: 'correct horse battery' }).expect(401);
    });
  });

  describe('path parameters', () => {
    it.each([
      '/images/..%2f..%2f..%2fetc%2fpasswd',
      '/images/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/images/%2e%2e%2f%2e%2e%2fetc%2fpasswd/content',
      '/images/..%5c..%5cwindows%5cwin.ini/content',
      '/images/%00',
      '/images/00000000-0000-4000-8000-000000000000%00/content',
      '/images/%2e%2e/content',
      '/image/..%2f..%2fpackage.json',
      '/images/%ff%fe/content',
    ])('%s → 400 or 404 problem+json, never file content', async (path) => {
      const res = await t.http.get(path).set(user.auth);
      expect([400, 404]).toContain(res.status);
      expectProblem(res, res.status, res.body.code);
      expect(res.text).not.toMatch(/root:|"dependencies"|\[fonts\]/);
    });
  });

  describe('security headers and CORS', () => {
    it('helmet headers on every answer, no X-Powered-By', async () => {
      for (const res of [await t.http.get('/health'), await t.http.get('/nope'), await t.http.get('/images').set(user.auth)]) {
        expect(res.headers).toMatchObject({
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'SAMEORIGIN',
          'referrer-policy': 'no-referrer',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-resource-policy': 'same-site',
        });
        expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('without CORS_ORIGINS no origin gets CORS headers', async () => {
      const res = await t.http.get('/health').set('Origin', 'https://app.example.com');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    describe('with CORS_ORIGINS=https://app.example.com', () => {
      let c: TestApp;
      beforeAll(async () => {
        c = await createTestApp({ env: { CORS_ORIGINS: 'https://app.example.com' } });
      });
      afterAll(async () => {
        await c.close();
      });

      it('the listed origin gets Access-Control-Allow-Origin, on requests and preflights', async () => {
        const res = await c.http.get('/health').set('Origin', 'https://app.example.com');
        expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
        expect(res.headers['access-control-expose-headers']).toMatch(/X-Request-Id/);
        const preflight = await c.http
          .options('/images')
          .set('Origin', 'https://app.example.com')
          .set('Access-Control-Request-Method', 'POST')
          .set('Access-Control-Request-Headers', 'authorization');
        expect(preflight.status).toBeLessThan(300);
        expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
      });

      it.each(['https://evil.example', 'https://app.example.com.evil.example', 'null'])(
        '%s gets no Access-Control-Allow-Origin',
        async (origin) => {
          const res = await c.http.get('/health').set('Origin', origin);
          expect(res.headers['access-control-allow-origin']).toBeUndefined();
          const preflight = await c.http.options('/images').set('Origin', origin).set('Access-Control-Request-Method', 'POST');
          expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
        },
      );
    });
  });
});

describe('slow clients (node dist/main.js with HEADERS_TIMEOUT=2s, REQUEST_TIMEOUT=4s)', () => {
  let dir: string;
  let port: number;
  let child: ChildProcess;

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'image-api-slow-'));
    port = await freePort();
    child = start(dir, { ...baseEnv(dir, port), HEADERS_TIMEOUT: '2s', REQUEST_TIMEOUT: '4s' });
    await waitForHealth(port, child, 30_000);
  }, 200_000);
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('headers sent one byte every 100 ms → 408 problem+json and the connection closed after about 2 s', async () => {
    const request = `GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ${'s'.repeat(200)}\r\n\r\n`;
    const answer = await rawExchange(port, [...request], 100);
    expectRawProblem(answer, 408, 'REQUEST_TIMEOUT');
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(1900);
    expect(answer.closedAfterMs).toBeLessThan(5000);
  });

  it('a body that never completes → 408 and the connection closed after about 4 s', async () => {
    const head = 'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
    const answer = await rawExchange(port, [head, '{"email":'], 0);
    expect(answer.status).toBe(408);
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(3900);
    expect(answer.closedAfterMs).toBeLessThan(8000);
  });

  it('the server still answers afterwards', async () => {
    await expect(waitForHealth(port, child, 5000)).resolves.toMatchObject({ status: 200 });
  });
});
