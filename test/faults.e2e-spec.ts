import { ChildProcess, execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { Response } from 'supertest';
import { createConnection } from 'mysql2/promise';
import { LocalDiskStorage } from '../src/storage/local-disk.storage';
import { binary } from './support/binary';
import { consistencyProblems, expectConsistent } from './support/consistency';
import { expectProblem } from './support/problem-details';
import { baseEnv, ensureBuilt, freePort, start, waitForHealth } from './support/server-process';
import { testStorage } from './support/s3-server';
import { StoppableS3Server, startStoppableS3Server } from './support/stoppable-s3';
import { createTestApp, listFiles, TestApp } from './support/test-app';
import { testEngine } from './support/test-database';
import { eventually, ImageBody, imageRowCount, upload, uploadImage } from './support/uploads';
import { registerUser, TestUser } from './support/users';

/** A ~500 KB PNG of random pixels (incompressible, so it really is that big on the wire). */
async function bigPng(): Promise<Buffer> {
  const width = 410;
  const height = 410;
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function download(t: TestApp, user: TestUser, id: string) {
  return t.http.get(`/images/${id}/content`).set(user.auth).buffer(true).parse(binary);
}

function expectUnavailable(res: Response): void {
  expectProblem(res, 503, 'SERVICE_UNAVAILABLE');
  expect(res.headers['retry-after']).toBeDefined();
}

async function expectHealth(t: TestApp, status: 200 | 503, down?: 'database' | 'storage'): Promise<void> {
  const res = await t.http.get('/health');
  expect(res.status).toBe(status);
  if (down) expect(res.body.details[down].status).toBe('down');
}

/** Polls until /health answers 200 (a store that comes back may take a retry or two to be seen). */
async function healthy(t: TestApp, timeoutMs = 20_000): Promise<void> {
  await eventually(() => expectHealth(t, 200), timeoutMs, 100);
}

/** After recovery: the old image reads back byte for byte, and a new upload works end to end. */
async function expectServing(t: TestApp, user: TestUser, existing: ImageBody, bytes: Buffer): Promise<void> {
  const res = await download(t, user, existing.id).expect(200);
  expect(sha256(res.body)).toBe(existing.checksum);
  expect(existing.checksum).toBe(sha256(bytes));
  const fresh = await bigPng();
  const created = await uploadImage(t, user, fresh, 'after-recovery.png');
  expect(created.checksum).toBe(sha256(fresh));
  await expectConsistent(t);
}

/**
 * During a storage outage: an image downloaded before (its bytes kept in memory, CONTENT_CACHE) is
 * still served byte for byte, as it needs no storage; one never downloaded (`cold`) is a 503.
 */
async function expectDownloadsDuringOutage(t: TestApp, user: TestUser, kept: ImageBody, cold: ImageBody): Promise<void> {
  const served = await download(t, user, kept.id).expect(200);
  expect(sha256(served.body)).toBe(kept.checksum);
  expectUnavailable(await t.http.get(`/images/${cold.id}/content`).set(user.auth));
}

describe('fault injection: storage outages', () => {
  if (testStorage() === 'local') {
    describe('local disk', () => {
      let t: TestApp;
      let user: TestUser;
      let existingBytes: Buffer;
      let existing: ImageBody;

      beforeAll(async () => {
        t = await createTestApp();
        user = await registerUser(t);
        existingBytes = await bigPng();
        existing = await uploadImage(t, user, existingBytes, 'existing.png');
      });
      afterAll(async () => {
        await t?.close();
      });

      it('tmp/ replaced by a regular file: /health and an upload are 503 that keeps nothing; removing the file heals it without a restart', async () => {
        const tmp = join(t.uploadDir, 'tmp');
        rmSync(tmp, { recursive: true, force: true });
        writeFileSync(tmp, 'not a folder');
        const rows = await imageRowCount(t);

        await expectHealth(t, 503, 'storage');
        expectUnavailable(await upload(t, user, await bigPng(), 'during-outage.png'));
        expect(await imageRowCount(t)).toBe(rows);
        expect(listFiles(t.uploadDir).sort()).toEqual(['images/' + existing.id, 'tmp']);

        rmSync(tmp);
        await expectServing(t, user, existing, existingBytes);
      });

      it('images/ replaced by a regular file: /health, uploads and downloads of what is not in memory are 503 (not 500, not 404), metadata still answers; recovery after', async () => {
        const images = join(t.uploadDir, 'images');
        const cold = await uploadImage(t, user, await bigPng(), 'cold.png');
        await download(t, user, existing.id).expect(200);
        const aside = join(t.uploadDir, '..', `aside-${randomBytes(4).toString('hex')}`);
        renameSync(images, aside);
        writeFileSync(images, 'not a folder');
        const rows = await imageRowCount(t);
        try {
          await expectHealth(t, 503, 'storage');
          expectUnavailable(await upload(t, user, await bigPng(), 'during-outage.png'));
          await expectDownloadsDuringOutage(t, user, existing, cold);
          await t.http.get(`/images/${existing.id}`).set(user.auth).expect(200);
          expect(await imageRowCount(t)).toBe(rows);
          // The temporary object of the refused upload is gone; only the blocking file is there.
          await eventually(async () => expect(listFiles(t.uploadDir)).toEqual(['images']));
        } finally {
          rmSync(images, { force: true });
          renameSync(aside, images);
        }
        await expectServing(t, user, existing, existingBytes);
      });

      it('the whole UPLOAD_DIR replaced by a file: /health, uploads and downloads of what is not in memory are 503; all 200 again after', async () => {
        const cold = await uploadImage(t, user, await bigPng(), 'cold.png');
        await download(t, user, existing.id).expect(200);
        const aside = `${t.uploadDir}-aside`;
        renameSync(t.uploadDir, aside);
        writeFileSync(t.uploadDir, 'not a folder');
        const rows = await imageRowCount(t);
        try {
          await expectHealth(t, 503, 'storage');
          expectUnavailable(await upload(t, user, await bigPng(), 'during-outage.png'));
          await expectDownloadsDuringOutage(t, user, existing, cold);
          expectUnavailable(await t.http.delete(`/images/${existing.id}`).set(user.auth));
          expect(await imageRowCount(t)).toBe(rows);
        } finally {
          rmSync(t.uploadDir, { force: true });
          renameSync(aside, t.uploadDir);
        }
        await healthy(t);
        await expectServing(t, user, existing, existingBytes);
      });
    });
  } else {
    describe('S3 (s3rver stopped and restarted on the same port)', () => {
      let s3: StoppableS3Server;
      let t: TestApp;
      let user: TestUser;
      let existingBytes: Buffer;
      let existing: ImageBody;

      beforeAll(async () => {
        s3 = await startStoppableS3Server();
        t = await createTestApp({ s3 });
        user = await registerUser(t);
        existingBytes = await bigPng();
        existing = await uploadImage(t, user, existingBytes, 'existing.png');
      });
      afterAll(async () => {
        await t?.close();
        await s3?.stop();
      });

      it('while S3 is down: /health, uploads, downloads of what is not in memory and deletes are 503, metadata answers; all work again once it is back', async () => {
        const cold = await uploadImage(t, user, await bigPng(), 'cold.png');
        await download(t, user, existing.id).expect(200);
        const rows = await imageRowCount(t);
        await s3.outage();
        try {
          await expectHealth(t, 503, 'storage');
          expectUnavailable(await upload(t, user, await bigPng(), 'during-outage.png'));
          await expectDownloadsDuringOutage(t, user, existing, cold);
          expectUnavailable(await t.http.delete(`/images/${existing.id}`).set(user.auth));
          await t.http.get(`/images/${existing.id}`).set(user.auth).expect(200);
          expect(await imageRowCount(t)).toBe(rows);
        } finally {
          await s3.recover();
        }
        await healthy(t);
        await expectServing(t, user, existing, existingBytes);
      });
    });
  }
});

describe('fault injection: database outages', () => {
  let t: TestApp;
  let user: TestUser;
  let existingBytes: Buffer;
  let existing: ImageBody;

  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t);
    existingBytes = await bigPng();
    existing = await uploadImage(t, user, existingBytes, 'existing.png');
  });
  afterAll(async () => {
    if (t && !t.dataSource.isInitialized) await t.dataSource.initialize();
    await t?.close();
  });

  it('DataSource destroyed: every route that needs the database is a 503, an upload keeps no bytes; initialize() heals it', async () => {
    const storedBefore = (await consistencyProblems(t)).length;
    expect(storedBefore).toBe(0);
    await t.dataSource.destroy();
    try {
      await expectHealth(t, 503, 'database');
      expectUnavailable(await t.http.get('/images').set(user.auth));
      expectUnavailable(await t.http.get(`/images/${existing.id}`).set(user.auth));
      expectUnavailable(await t.http.get(`/images/${existing.id}/content`).set(user.auth));
      expectUnavailable(await t.http.delete(`/images/${existing.id}`).set(user.auth));
      expectUnavailable(await upload(t, user, await bigPng(), 'during-outage.png'));
      expectUnavailable(await t.http.post('/auth/login').send({ email: user.email, password: user.password }));
      // The upload's bytes were stored, moved, then removed when the row could not be written.
      const files: string[] = [];
      for await (const object of t.storage.list()) files.push(object.key);
      expect(files).toEqual([`images/${existing.id}`]);
    } finally {
      await t.dataSource.initialize();
    }
    await healthy(t);
    await t.http.post('/auth/login').send({ email: user.email, password: user.password }).expect(200);
    await expectServing(t, user, existing, existingBytes);
  });

  if (testEngine() === 'mysql') {
    it('MariaDB connections killed from outside (KILL <id>): requests answer 200 or 503, never 500, and recover without a restart', async () => {
      const url = new URL(t.database.url);
      const schema = url.pathname.slice(1);
      const admin = await createConnection({
        host: url.hostname,
        port: Number(url.port || 3306),
        user: decodeURIComponent(url.username || 'root'),
        password: decodeURIComponent(url.password),
      });
      let killed = 0;
      try {
        // Make sure the pool holds several connections, then kill every one of them.
        await Promise.all(Array.from({ length: 5 }, () => t.http.get('/images').set(user.auth).expect(200)));
        const [rows] = await admin.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [
          schema,
        ]);
        for (const { id } of rows as Array<{ id: number }>) {
          await admin.query(`KILL ${Number(id)}`);
          killed += 1;
        }
      } finally {
        await admin.end();
      }
      expect(killed).toBeGreaterThan(0);
      const statuses: number[] = [];
      await eventually(
        async () => {
          const res = await t.http.get('/images').set(user.auth);
          statuses.push(res.status);
          if (res.status === 503) expectUnavailable(res);
          expect(res.status).toBe(200);
        },
        20_000,
        100,
      );
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
      await healthy(t);
      await expectServing(t, user, existing, existingBytes);
    });
  }
});

interface UploadAnswer {
  sent: Buffer;
  status?: number;
  body?: { data?: ImageBody };
  error?: string;
}

function postImage(port: number, token: string, file: Buffer, name: string): Promise<UploadAnswer> {
  const boundary = `faults${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const body = Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/images',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': body.length,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ sent: file, status: res.statusCode, body: safeJson(text) }));
        res.on('error', (error) => resolve({ sent: file, status: res.statusCode, error: error.message }));
      },
    );
    req.on('error', (error) => resolve({ sent: file, error: error.message }));
    req.end(body);
  });
}

function safeJson(text: string): { data?: ImageBody } | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function exited(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve),
  );
}

describe('fault injection: SIGKILL during 20 concurrent uploads (node dist/main.js)', () => {
  const SECRETS = { JWT_SECRET_KEY: 'j'.repeat(40), SECRET_KEY: 's'.repeat(40) };
  let dir: string;
  let children: ChildProcess[] = [];

  beforeAll(() => ensureBuilt(), 200_000);
  afterAll(() => {
    children.forEach((child) => child.kill('SIGKILL'));
    children = [];
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('after a restart and `reconcile --apply`, every row has its bytes, every file its row, and every 201 survived intact', async () => {
    dir = mkdtempSync(join(tmpdir(), 'image-api-sigkill-'));
    const port = await freePort();
    const env = { ...baseEnv(dir, port), ...SECRETS };
    const first = start(dir, env);
    children.push(first);
    await expect(waitForHealth(port, first, 30_000)).resolves.toMatchObject({ status: 200 });

    const credentials = JSON.stringify({ email: 'sigkill@example.com', password: 'correct horse battery' });
    const json = { 'content-type': 'application/json' };
    expect((await fetch(`http://127.0.0.1:${port}/auth/register`, { method: 'POST', headers: json, body: credentials })).status).toBe(201);
    const login = await fetch(`http://127.0.0.1:${port}/auth/login`, { method: 'POST', headers: json, body: credentials });
    const token = ((await login.json()) as { data: { accessToken: string } }).data.accessToken;

    const files = await Promise.all(Array.from({ length: 20 }, () => bigPng()));
    let answered = 0;
    const answers = files.map((file, i) =>
      postImage(port, token, file, `upload-${i}.png`).then((answer) => {
        answered += 1;
        return answer;
      }),
    );
    // A few hundred ms in, or once the first answer is back if the machine is slow: mid-flight.
    const began = Date.now();
    while (Date.now() - began < 300 || (answered === 0 && Date.now() - began < 20_000)) await new Promise((r) => setTimeout(r, 20));
    first.kill('SIGKILL');
    await exited(first);
    const results = await Promise.all(answers);
    const created = results.filter((r) => r.status === 201);
    // Every upload either finished (201) or was cut off by the kill; none failed otherwise.
    for (const r of results) expect(r.status === 201 || r.status === undefined || r.error !== undefined).toBe(true);

    const second = start(dir, env);
    children.push(second);
    await expect(waitForHealth(port, second, 30_000)).resolves.toMatchObject({ status: 200 });
    for (const { sent, body } of created) {
      expect(body?.data?.checksum).toBe(sha256(sent));
      const res = await fetch(`http://127.0.0.1:${port}/images/${body!.data!.id}/content`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(sent));
    }

    const reconcile = async (...args: string[]) =>
      (
        await promisify(execFile)(process.execPath, ['dist/cli/reconcile-storage.js', '--grace-minutes=0', ...args], {
          env,
          encoding: 'utf8',
          cwd: join(__dirname, '..'),
        })
      ).stdout
        .trim()
        .split('\n');
    const dry = await reconcile();
    const summary = dry.pop()!;
    expect(summary).toMatch(
      /^dry run: \d+ orphan object\(s\), \d+ stale temporary object\(s\), 0 empty folder\(s\), 0 row\(s\) with missing bytes/,
    );
    for (const line of dry) expect(line).toMatch(/^(orphan {4}images\/|temporary (tmp\/|.*\.part$))/);
    const applied = await reconcile('--apply');
    expect(applied.pop()).toMatch(new RegExp(`^applied: .*0 row\\(s\\) with missing bytes.*; deleted ${dry.length}$`));

    second.kill('SIGTERM');
    await exited(second);

    // The state at rest, read directly: the SQLite file and the upload folder.
    const uploadDir = join(dir, 'uploads');
    const t = await createTestApp({
      database: { engine: 'sqlite', url: `sqlite:${join(dir, 'images.db')}`, drop: async () => undefined },
      uploadDir,
      env: { STORAGE_DRIVER: 'local' },
      s3: { env: {}, stop: async () => undefined },
    });
    try {
      const state = { dataSource: t.dataSource, storage: new LocalDiskStorage(uploadDir), uploadDir };
      await expect(consistencyProblems(state)).resolves.toEqual([]);
      const rows: Array<{ id: string; checksum: string }> = await t.dataSource.query('SELECT id, checksum FROM images');
      const byId = new Map(rows.map((row) => [row.id, row.checksum]));
      for (const { sent, body } of created) expect(byId.get(body!.data!.id)).toBe(sha256(sent));
      expect(listFiles(uploadDir).every((file) => file.startsWith('images/') && !file.endsWith('.part'))).toBe(true);
    } finally {
      await t.close();
    }
  }, 180_000);
});
