import { request as expressRequest, response as expressResponse } from 'express';
import type { Express } from 'express';
import { IncomingMessage, ServerResponse, request } from 'node:http';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { shutdown } from '../src/app.setup';
import { ContentSender } from '../src/images/content/content-sender';
import { makeImage } from './support/images';
import { TestApp, createTestApp } from './support/test-app';
import { listeningPort, uploadImage } from './support/uploads';
import { TestUser, registerUser } from './support/users';

/** Sends `text` one byte every `everyMs` and returns what comes back before the socket closes. */
function slowExchange(port: number, text: string, everyMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let i = 0;
    const timer = setInterval(() => (i < text.length && socket.writable ? socket.write(text[i++]) : clearInterval(timer)), everyMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => {
      clearInterval(timer);
      resolve(answer);
    });
    socket.on('error', reject);
  });
}

/** A multipart upload whose body stops after `sendFirst` bytes until `finish()` is called. */
async function heldUpload(port: number, user: TestUser) {
  const jpeg = await makeImage('jpeg', 120, 90);
  const boundary = 'inprocessboundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="late.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head), jpeg, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/images',
    headers: { ...user.auth, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length },
  });
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
  });
  req.write(body.subarray(0, 200));
  return { answer, finish: () => req.end(body.subarray(200)), abandon: () => req.destroy() };
}

describe('server set-up in process (configureApp, shutdown): what main.ts gets', () => {
  it('applies HEADERS_TIMEOUT and REQUEST_TIMEOUT to the HTTP server, checked often enough to matter', async () => {
    const t = await createTestApp({ env: { HEADERS_TIMEOUT: '2s', REQUEST_TIMEOUT: '4s' } });
    try {
      const server = t.app.getHttpServer() as Server & { connectionsCheckingInterval: number };
      expect(server).toMatchObject({ headersTimeout: 2000, requestTimeout: 4000, connectionsCheckingInterval: 500 });
    } finally {
      await t.close();
    }
  });

  it('answers headers that never finish with a 408 problem and closes the connection', async () => {
    const t = await createTestApp({ env: { HEADERS_TIMEOUT: '1s', REQUEST_TIMEOUT: '2s' } });
    try {
      const answer = await slowExchange(
        await listeningPort(t),
        `GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ${'s'.repeat(400)}\r\n\r\n`,
        20,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toContain('"code":"REQUEST_TIMEOUT"');
    } finally {
      await t.close();
    }
  });

  describe('shutdown', () => {
    let t: TestApp;
    afterEach(async () => {
      // shutdown closed the app (closing it again is a no-op); the database and folders are still the test's.
      await t.close();
    });

    it('resolves 0 and stops listening when idle', async () => {
      t = await createTestApp();
      const server = t.app.getHttpServer() as Server;
      await listeningPort(t);
      await expect(shutdown(t.app, 'SIGTERM')).resolves.toBe(0);
      expect(server.listening).toBe(false);
    });

    it('lets an upload in flight finish (201), then resolves 0', async () => {
      t = await createTestApp({ env: { SHUTDOWN_TIMEOUT: '30s' } });
      const user = await registerUser(t);
      const upload = await heldUpload(await listeningPort(t), user);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const code = shutdown(t.app, 'SIGTERM');
      upload.finish();
      await expect(upload.answer).resolves.toMatchObject({ status: 201 });
      await expect(code).resolves.toBe(0);
    });

    it('resolves 1 when a request outlives SHUTDOWN_TIMEOUT', async () => {
      t = await createTestApp({ env: { SHUTDOWN_TIMEOUT: '1s' } });
      const user = await registerUser(t);
      const upload = await heldUpload(await listeningPort(t), user);
      upload.answer.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(shutdown(t.app, 'SIGTERM')).resolves.toBe(1);
      upload.abandon();
    });
  });
});

/** V8's %HaveSameMap: whether two objects have the same hidden class (natives syntax, allowed from here on). */
function sameHiddenClass(): (a: object, b: object) => boolean {
  setFlagsFromString('--allow-natives-syntax');
  return new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
}

describe('requests and responses built on Express’s prototypes (AppExpressAdapter)', () => {
  it('arrive on app.request and app.response, so Express does not change their prototype, and share one hidden class', async () => {
    const t = await createTestApp();
    try {
      const express = t.app.getHttpAdapter().getInstance() as Express;
      // What Express would have set: its own request/response objects as parents, with `app` of their own.
      expect(Object.getPrototypeOf(express.request)).toBe(expressRequest);
      expect(Object.getPrototypeOf(express.response)).toBe(expressResponse);
      expect(Reflect.ownKeys(express.request)).toEqual(['app']);
      expect(Reflect.ownKeys(express.response)).toEqual(['app']);
      expect(express.request.app).toBe(express);
      const seen: { req: IncomingMessage; res: ServerResponse; onArrival: [object, object] }[] = [];
      (t.app.getHttpServer() as Server).prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
        const onArrival: [object, object] = [Object.getPrototypeOf(req) as object, Object.getPrototypeOf(res) as object];
        res.once('finish', () => seen.push({ req, res, onArrival }));
      });
      const user = await registerUser(t);
      const image = await uploadImage(t, user, await makeImage('jpeg'), 'shape.jpg');
      seen.length = 0;
      for (let i = 0; i < 3; i++) await t.http.get(`/images/${image.id}`).set(user.auth).expect(200);
      await t.http.get(`/images/${image.id}/content`).set(user.auth).set('If-None-Match', `"${image.checksum}"`).expect(304);
      await t.http.get(`/images/${image.id}/content`).set(user.auth).set('If-None-Match', `"${image.checksum}"`).expect(304);
      expect(seen).toHaveLength(5);
      for (const { req, res, onArrival } of seen) {
        expect(onArrival).toEqual([express.request, express.response]);
        expect(req).toBeInstanceOf(IncomingMessage);
        expect(res).toBeInstanceOf(ServerResponse);
        expect(req.constructor).toBe(IncomingMessage);
      }
      // Express's own setPrototypeOf used to give every request a hidden class of its own after it
      // (V8 does not cache transitions from there), so these were false for every pair of requests.
      const same = sameHiddenClass();
      expect([same(seen[1].req, seen[2].req), same(seen[1].res, seen[2].res)]).toEqual([true, true]);
      expect([same(seen[3].req, seen[4].req), same(seen[3].res, seen[4].res)]).toEqual([true, true]);
    } finally {
      await t.close();
    }
  });

  it('gives the content route’s description of the bytes one hidden class across requests', async () => {
    const t = await createTestApp();
    try {
      const sender = t.app.get(ContentSender);
      const send = jest.spyOn(sender, 'send');
      const user = await registerUser(t);
      const image = await uploadImage(t, user, await makeImage('jpeg'), 'shape.jpg');
      // 60 revalidations and a download: with the old spread the objects parted from the 12th request on.
      for (let i = 0; i < 60; i++)
        await t.http.get(`/images/${image.id}/content`).set(user.auth).set('If-None-Match', `"${image.checksum}"`).expect(304);
      await t.http.get(`/images/${image.id}/content`).set(user.auth).expect(200);
      const contents = send.mock.calls.map(([, , content]) => content);
      expect(contents).toHaveLength(61);
      // Built as a spread of describe() plus more fields, each request's object got a hidden class of
      // its own once the route was warm (four "prototype" transitions per request in --log-maps).
      const same = sameHiddenClass();
      const parted = contents.flatMap((content, i) => (i > 0 && !same(contents[i - 1], content) ? [i] : []));
      expect(parted).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
