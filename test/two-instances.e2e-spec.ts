import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binary } from './support/binary';
import { startS3Server, TestS3Server } from './support/s3-server';
import { createTestApp, storedFiles, TEST_JWT_SECRET, TEST_SECRET_KEY, TestApp } from './support/test-app';
import { createTestDatabase, describeWithMysql, TestDatabase } from './support/test-database';
import { makeImage } from './support/images';
import { listeningPort } from './support/uploads';
import { baseEnv, ensureBuilt, freePort, start, waitForHealth } from './support/server-process';
import { startTcpProxy } from './support/tcp-proxy';
import { noisePng, runTusClient, sha256, TUS, tusCreate, tusHead, tusMetadata, tusPatch } from './support/tus';
import { login, registerUser, TestUser, uniqueEmail } from './support/users';
import { LIST_TOTAL_TTL_MS } from '../src/images/list-totals';
import { IMAGE_LOOKUP_TTL_MS } from '../src/images/image-rows';
import { USER_LOOKUP_TTL_MS } from '../src/users/users.service';

/** Polls `check` until it holds; returns the milliseconds that took, or fails past `boundMs` (+ one request's slack). */
async function heldWithin(boundMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > boundMs + 500) throw new Error(`still not visible ${Date.now() - started} ms after the change`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Two app instances on one MariaDB database and one S3 bucket: no state lives in a process. */
describeWithMysql('two instances sharing MariaDB and S3', () => {
  let database: TestDatabase;
  let s3: TestS3Server;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('mysql');
    s3 = await startS3Server();
    // Started together: both run the migrations; the named lock makes one wait for the other.
    [a, b] = await Promise.all([
      createTestApp({ database, s3, env: { LOGIN_MAX_ATTEMPTS: '3', AUTH_RATE_LIMIT: '100000' } }),
      createTestApp({ database, s3, env: { LOGIN_MAX_ATTEMPTS: '3', AUTH_RATE_LIMIT: '100000' } }),
    ]);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await s3?.stop();
    await database?.drop();
  });

  it('ran each migration exactly once', async () => {
    const rows: { name: string }[] = await a.dataSource.query('SELECT name FROM migrations');
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  it('registers on one, logs in, uploads, lists, downloads and deletes across both', async () => {
    const email = uniqueEmail('shared');
    const password = 'correct horse battery';
    await a.http.post('/auth/register').send({ email, password }).expect(201);
    const user = await login(b, email, password);
    const jpeg = await makeImage('jpeg', 40, 30);

    const up = await a.http.post('/images').set(user.auth).attach('file', jpeg, 'shared.jpg').expect(201);
    const id = up.body.data.id as string;
    const list = await b.http.get('/images').set(user.auth).expect(200);
    expect(list.body.data.map((i: { id: string }) => i.id)).toEqual([id]);
    const meta = await b.http.get(`/images/${id}`).set(user.auth).expect(200);
    expect(meta.body.data).toMatchObject({ width: 40, height: 30, checksum: up.body.data.checksum });
    const dl = await b.http.get(`/images/${id}/content`).set(user.auth).buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(dl.body as Buffer, jpeg)).toBe(0);

    await b.http.delete(`/images/${id}`).set(user.auth).expect(204);
    await a.http.get(`/images/${id}`).set(user.auth).expect(404);
    await expect(storedFiles(a)).resolves.toEqual([]);
  });

  it('rejects on one instance a refresh token rotated on the other', async () => {
    const email = uniqueEmail('rotate');
    await a.http.post('/auth/register').send({ email, password: 'correct horse battery' }).expect(201);
    const first = await login(a, email, 'correct horse battery');
    const rotated = await a.http.post('/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200);
    const replay = await b.http.post('/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    expect(replay.body.code).toBe('INVALID_REFRESH_TOKEN');
    // The replay was treated as theft: the session's newest token is revoked too.
    await b.http.post('/auth/refresh').send({ refreshToken: rotated.body.data.refreshToken }).expect(401);
  });

  it('leaves no working token after the same refresh token is raced on both instances (20 rounds)', async () => {
    const email = uniqueEmail('race');
    await a.http.post('/auth/register').send({ email, password: 'correct horse battery' }).expect(201);
    const ports = [await listeningPort(a), await listeningPort(b)];
    const refreshAt = async (port: number, refreshToken: string) => {
      const res = await fetch(`http://127.0.0.1:${port}/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      });
      return { status: res.status, body: (await res.json()) as { data?: { refreshToken: string } } };
    };
    const survivors: string[] = [];
    for (let round = 0; round < 20; round++) {
      const { refreshToken } = await login(a, email, 'correct horse battery');
      const answers = await Promise.all(ports.map((port) => refreshAt(port, refreshToken)));
      expect(answers.filter((x) => x.status === 200).length).toBeLessThanOrEqual(1);
      for (const winner of answers.filter((x) => x.status === 200)) {
        for (const port of ports) {
          const again = await refreshAt(port, winner.body.data!.refreshToken);
          if (again.status !== 401) survivors.push(`round ${round} on :${port}: ${again.status}`);
        }
      }
    }
    expect(survivors).toEqual([]);
  });

  it('counts failed logins across both instances', async () => {
    const email = uniqueEmail('lockout');
    await a.http.post('/auth/register').send({ email, password: 'correct horse battery' }).expect(201);
    const wrong = { email, password: 'not the password' };
    await a.http.post('/auth/login').send(wrong).expect(401);
    await b.http.post('/auth/login').send(wrong).expect(401);
    await a.http.post('/auth/login').send(wrong).expect(401);
    const locked = await b.http.post('/auth/login').send({ email, password: 'correct horse battery' }).expect(429);
    expect(locked.body.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  describe('per-instance caches stay within their documented bound', () => {
    it('refuses on the other instance, within USER_LOOKUP_TTL_MS, the tokens of an account deleted elsewhere', async () => {
      const user = await registerUser(a);
      // B has just looked the account up (and may keep it for up to the bound).
      await b.http.get('/auth/me').set(user.auth).expect(200);
      await a.dataSource.query('DELETE FROM users WHERE id = ?', [user.id]);
      await heldWithin(USER_LOOKUP_TTL_MS, async () => {
        const res = await b.http.get('/images').set(user.auth);
        return res.status === 401 && res.body.detail === 'The account no longer exists';
      });
    });

    it('answers for an image deleted on A: 404 on A at once, on B within IMAGE_LOOKUP_TTL_MS, and never a 5xx meanwhile', async () => {
      const user = await registerUser(a);
      const jpeg = await makeImage('jpeg', 16, 12);
      const id = (await a.http.post('/images').set(user.auth).attach('file', jpeg, 'gone.jpg').expect(201)).body.data.id as string;
      // Both instances have just read the row (and may keep it for up to the bound).
      for (const instance of [a, b]) {
        await instance.http.get(`/images/${id}`).set(user.auth).expect(200);
        await instance.http.get(`/images/${id}/content`).set(user.auth).expect(200);
      }
      await a.http.delete(`/images/${id}`).set(user.auth).expect(204);
      await a.http.get(`/images/${id}`).set(user.auth).expect(404);
      await a.http.get(`/images/${id}/content`).set(user.auth).expect(404);
      const seen = new Set<number>();
      const tookMs = await heldWithin(IMAGE_LOOKUP_TTL_MS, async () => {
        const meta = await b.http.get(`/images/${id}`).set(user.auth);
        // Within the bound B may still remember the row, and answer with the bytes it keeps in memory; never past it.
        const content = await b.http.get(`/images/${id}/content`).set(user.auth);
        seen.add(meta.status).add(content.status);
        return meta.status === 404 && content.status === 404;
      });
      expect([...seen].filter((status) => status !== 200 && status !== 404)).toEqual([]);
      expect(tookMs).toBeLessThanOrEqual(IMAGE_LOOKUP_TTL_MS + 500);
    });

    it('shows a rename made on A on A at once, and on B within IMAGE_LOOKUP_TTL_MS', async () => {
      const user = await registerUser(a);
      const jpeg = await makeImage('jpeg', 16, 12);
      const id = (await a.http.post('/images').set(user.auth).attach('file', jpeg, 'before.jpg').expect(201)).body.data.id as string;
      for (const instance of [a, b]) await instance.http.get(`/images/${id}`).set(user.auth).expect(200);
      await a.http.patch(`/images/${id}`).set(user.auth).send({ filename: 'after.jpg' }).expect(200);
      expect((await a.http.get(`/images/${id}`).set(user.auth).expect(200)).body.data.filename).toBe('after.jpg');
      await heldWithin(
        IMAGE_LOOKUP_TTL_MS,
        async () => (await b.http.get(`/images/${id}`).set(user.auth)).body.data?.filename === 'after.jpg',
      );
    });

    it("shows an image deleted on A in A's list total at once, and in B's within LIST_TOTAL_TTL_MS", async () => {
      const user = await registerUser(a);
      const jpeg = await makeImage('jpeg', 16, 12);
      const up = await a.http.post('/images').set(user.auth).attach('file', jpeg, 'total.jpg').expect(201);
      for (const instance of [a, b]) expect((await instance.http.get('/images').set(user.auth).expect(200)).body.meta.total).toBe(1);
      await a.http.delete(`/images/${up.body.data.id}`).set(user.auth).expect(204);
      expect((await a.http.get('/images').set(user.auth).expect(200)).body.meta.total).toBe(0);
      await heldWithin(LIST_TOTAL_TTL_MS, async () => (await b.http.get('/images').set(user.auth)).body.meta.total === 0);
      // B's page rows are never cached: the image is gone from them at once.
      expect((await b.http.get(`/images/${up.body.data.id}`).set(user.auth)).status).toBe(404);
    });
  });

  it('one writer per tus upload across instances: the same chunk sent to both at once is stored once', async () => {
    const email = uniqueEmail('tus-lock');
    await a.http.post('/auth/register').send({ email, password: 'correct horse battery' }).expect(201);
    const user = await login(a, email, 'correct horse battery');
    const png = await makeImage('png', 400, 300);
    const created = await tusCreate(a, user as TestUser, png.length, 'locked.png').expect(201);
    const location = created.headers.location as string;
    const half = png.subarray(0, Math.floor(png.length / 2));
    const answers = await Promise.all([a, b].map((app) => tusPatch(app, user as TestUser, location, 0, half)));
    expect(answers.map((r) => r.status).sort()).toEqual([204, 409]);
    expect((await tusHead(b, user as TestUser, location).expect(200)).headers['upload-offset']).toBe(String(half.length));
    await b.http.delete(location).set(user.auth).set(TUS).expect(204);
  });

  /**
   * Instance C: a real `node dist/main.js` process on the same database and bucket, so that stopping
   * it stops everything it held (in-process apps share passport's strategy registry).
   */
  async function startInstanceC() {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'image-api-instance-c-'));
    const port = await freePort();
    const env = {
      ...baseEnv(dir, port),
      ...s3.env,
      DATABASE_URL: database.url,
      JWT_SECRET_KEY: TEST_JWT_SECRET,
      SECRET_KEY: TEST_SECRET_KEY,
    };
    return { c: start(dir, env), dir, port };
  }

  it('resumes on B a tus upload started on another instance after that one is stopped', async () => {
    const { c, dir, port } = await startInstanceC();
    try {
      await waitForHealth(port, c, 30_000);
      const email = uniqueEmail('tus');
      await b.http.post('/auth/register').send({ email, password: 'correct horse battery' }).expect(201);
      const user = (await login(b, email, 'correct horse battery')) as TestUser;
      const png = await makeImage('png', 400, 300);
      const cut = Math.floor(png.length / 3);
      const tusAt = (path: string, init: RequestInit) =>
        fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers: { ...TUS, ...user.auth, ...(init.headers as object) } });
      const created = await tusAt('/uploads', {
        method: 'POST',
        headers: { 'Upload-Length': String(png.length), 'Upload-Metadata': tusMetadata({ filename: 'across.png' }) },
      });
      expect(created.status).toBe(201);
      const location = created.headers.get('location')!;
      const first = await tusAt(location, {
        method: 'PATCH',
        headers: { 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
        body: png.subarray(0, cut),
      });
      expect(first.status).toBe(204);

      c.kill('SIGTERM');
      await new Promise((ok) => (c.exitCode !== null ? ok(null) : c.once('exit', ok)));

      expect((await tusHead(b, user, location).expect(200)).headers['upload-offset']).toBe(String(cut));
      const last = await tusPatch(b, user, location, cut, png.subarray(cut)).expect(204);
      const image = await b.http
        .get(last.headers['image-location'] as string)
        .set(user.auth)
        .expect(200);
      expect(image.body.data).toMatchObject({ filename: 'across.png', size: png.length, checksum: sha256(png) });
      const rows: { n: number | string }[] = await b.dataSource.query('SELECT COUNT(*) AS n FROM resumable_uploads');
      expect(Number(rows[0].n)).toBe(0);
      expect((await storedFiles(b)).filter((key) => key.startsWith('tmp/'))).toEqual([]);
    } finally {
      if (c.exitCode === null) c.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('tus-js-client behind a load balancer finishes on B the upload it began on C, once C is stopped', async () => {
    const { c, dir, port } = await startInstanceC();
    const balancer = await startTcpProxy(port);
    try {
      await waitForHealth(port, c, 30_000);
      const user = await registerUser(b);
      // Within the default MAX_CONTENT_LENGTH (5 MB): four chunks and a bit.
      const png = await noisePng(4);
      const chunkSize = 1024 * 1024;
      let cExit: number | null = null;
      const { heads, imageLocation } = await runTusClient(png, ({ upload, fail }) => ({
        endpoint: `http://127.0.0.1:${balancer.port}/uploads`,
        chunkSize,
        retryDelays: [0, 200, 1000],
        headers: { Authorization: `Bearer ${user.accessToken}` },
        metadata: { filename: 'balanced.png', filetype: 'image/png' },
        onChunkComplete: (_size, accepted) => {
          if (accepted !== chunkSize) return;
          // The first chunk is on C: the client pauses, C is stopped and leaves the balancer, the client resumes.
          void upload()
            .abort()
            .then(async () => {
              c.kill('SIGTERM');
              cExit = await new Promise<number | null>((ok) => (c.exitCode !== null ? ok(c.exitCode) : c.once('exit', ok)));
              balancer.retarget(await listeningPort(b));
              upload().start();
            })
            .catch(fail);
        },
      }));
      // C stopped cleanly; B told the client where the upload stood, and took it from there.
      expect(cExit).toBe(0);
      expect(heads).toEqual([chunkSize]);
      expect(imageLocation).toMatch(/^\/images\/[0-9a-f-]{36}$/);
      const image = await b.http.get(imageLocation!).set(user.auth).expect(200);
      expect(image.body.data).toMatchObject({ filename: 'balanced.png', size: png.length, checksum: sha256(png) });
      const rows: { n: number | string }[] = await b.dataSource.query('SELECT COUNT(*) AS n FROM resumable_uploads');
      expect(Number(rows[0].n)).toBe(0);
      expect((await storedFiles(b)).filter((key) => key.startsWith('tmp/'))).toEqual([]);
    } finally {
      await balancer.close();
      if (c.exitCode === null) c.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
