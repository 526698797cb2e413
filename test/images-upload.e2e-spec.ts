import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Response } from 'supertest';
import {
  GIF_PHP_POLYGLOT,
  HTML_PAGE,
  PLAIN_TEXT,
  SVG_WITH_SCRIPT,
  WINDOWS_EXE,
  pngOfExactSize,
  pngWithBrokenZlib,
  truncated,
} from './support/bad-images';
import { makeImage, pngWithClaimedSize } from './support/images';
import { expectProblem, isUuid } from './support/problem-details';
import { createTestApp, TestApp } from './support/test-app';
import { ImageBody, Leftovers, eventually, leftovers, listeningPort, multipart, postMultipart, upload } from './support/uploads';
import { registerUser, TestUser } from './support/users';

const KB = 1024;

describe('POST /images — upload validation', () => {
  let t: TestApp;
  let user: TestUser;
  let jpeg: Buffer;
  let png: Buffer;
  let before: Leftovers;

  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t);
    [jpeg, png] = await Promise.all([makeImage('jpeg'), makeImage('png')]);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    before = await leftovers(t);
  });

  /** The contract's answer, and not one byte or row more than before the request. */
  async function expectRejected(res: Response, status: number, code: string): Promise<void> {
    expectProblem(res, status, code);
    await expect(leftovers(t)).resolves.toEqual(before);
  }

  async function expectStored(res: Response, file: Buffer, expected: Record<string, unknown>): Promise<ImageBody> {
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201, body: { data: expected } });
    const image = res.body.data;
    expect(isUuid(image.id)).toBe(true);
    expect(res.headers.location).toBe(`/images/${image.id}`);
    expect(image).toMatchObject({ size: file.length, checksum: createHash('sha256').update(file).digest('hex'), ownerId: user.id });
    const now = await leftovers(t);
    expect(now).toEqual({ files: [...before.files, `images/${image.id}`].sort(), rows: before.rows + 1 });
    return image;
  }

  it('reads an upload once: its magic bytes and its end are checked on the bytes as they stream in, not read back', async () => {
    const open = jest.spyOn(t.storage, 'open');
    try {
      const res = await upload(t, user, jpeg, 'once.jpg');
      await expectStored(res, jpeg, { filename: 'once.jpg' });
      const polyglot = await upload(t, user, Buffer.concat([jpeg, Buffer.from('PK\x03\x04 not an image')]), 'glued.jpg');
      expect(polyglot.body.code).toBe('IMAGE_CORRUPT');
      // The decode's own input is all that is opened: by path on a local disk, one stream from S3.
      const tmpReads = open.mock.calls.filter(([key]) => key.startsWith('tmp/'));
      expect(tmpReads.filter(([, range]) => range !== undefined)).toEqual([]);
      expect(tmpReads.length).toBeLessThanOrEqual(process.env.TEST_STORAGE === 's3' ? 1 : 0);
    } finally {
      open.mockRestore();
    }
  });

  describe('the file part', () => {
    it('a JSON body instead of multipart → 400 FILE_REQUIRED', async () => {
      const res = await t.http.post('/images').set(user.auth).send({ file: 'photo.jpg' });
      await expectRejected(res, 400, 'FILE_REQUIRED');
    });

    it('no body at all → 400 FILE_REQUIRED', async () => {
      await expectRejected(await t.http.post('/images').set(user.auth), 400, 'FILE_REQUIRED');
    });

    it('multipart with only a text field → 400 FILE_REQUIRED', async () => {
      const res = await t.http.post('/images').set(user.auth).field('title', 'holiday');
      await expectRejected(res, 400, 'FILE_REQUIRED');
    });

    it('the file under another field name → 400 FILE_REQUIRED', async () => {
      const res = await t.http.post('/images').set(user.auth).attach('image', jpeg, 'photo.jpg');
      await expectRejected(res, 400, 'FILE_REQUIRED');
      expect(res.body.detail).toContain('image');
    });

    it('two files → 400 TOO_MANY_FILES', async () => {
      const res = await t.http.post('/images').set(user.auth).attach('file', jpeg, 'a.jpg').attach('file', jpeg, 'b.jpg');
      await expectRejected(res, 400, 'TOO_MANY_FILES');
    });

    it('two files, the second in another field → 400 TOO_MANY_FILES', async () => {
      const res = await t.http.post('/images').set(user.auth).attach('file', jpeg, 'a.jpg').attach('other', png, 'b.png');
      await expectRejected(res, 400, 'TOO_MANY_FILES');
    });

    it('an empty file → 400 EMPTY_FILE', async () => {
      const res = await t.http.post('/images').set(user.auth).attach('file', Buffer.alloc(0), 'empty.jpg');
      await expectRejected(res, 400, 'EMPTY_FILE');
    });

    it('a multipart body cut short (no closing boundary) → 400, nothing kept', async () => {
      const { body, contentType } = multipart([{ name: 'file', filename: 'a.png', body: png }]);
      const res = await t.http
        .post('/images')
        .set(user.auth)
        .set('Content-Type', contentType)
        .send(body.subarray(0, body.length - 40));
      expect(res.status).toBe(400);
      await expectRejected(res, 400, res.body.code);
    });

    it('no bearer token → 401 and nothing stored', async () => {
      const res = await t.http.post('/images').attach('file', jpeg, 'photo.jpg');
      await expectRejected(res, 401, 'UNAUTHORIZED');
    });
  });

  describe('the extension', () => {
    it.each([
      ['setup.exe', WINDOWS_EXE],
      ['notes.txt', PLAIN_TEXT],
      ['page.html', HTML_PAGE],
      ['drawing.svg', SVG_WITH_SCRIPT],
      ['no-extension', null],
      ['trailing-dot.', null],
      ['.png', null],
    ])('%s → 415 UNSUPPORTED_FILE_TYPE', async (name, content) => {
      const res = await upload(t, user, content ?? png, name);
      await expectRejected(res, 415, 'UNSUPPORTED_FILE_TYPE');
    });

    it('an SVG declared as image/svg+xml is refused whatever the client claims', async () => {
      const res = await t.http
        .post('/images')
        .set(user.auth)
        .attach('file', SVG_WITH_SCRIPT, { filename: 'x.svg', contentType: 'image/svg+xml' });
      await expectRejected(res, 415, 'UNSUPPORTED_FILE_TYPE');
    });

    it('a double extension a.php.jpg with JPEG bytes → 201, stored as image/jpeg', async () => {
      const res = await upload(t, user, jpeg, 'a.php.jpg');
      await expectStored(res, jpeg, { filename: 'a.php.jpg', mimeType: 'image/jpeg', extension: 'jpg' });
    });

    it.each(['PHOTO.JPG', 'photo.JpEg', 'photo.jpeg'])('%s is accepted (case-insensitive, jpeg ≡ jpg)', async (name) => {
      const res = await upload(t, user, jpeg, name);
      await expectStored(res, jpeg, { filename: name, mimeType: 'image/jpeg', extension: 'jpg', width: 64, height: 48 });
    });

    it("the client's declared MIME type is ignored: PNG bytes sent as image/gif named .png → image/png", async () => {
      const res = await t.http.post('/images').set(user.auth).attach('file', png, { filename: 'p.png', contentType: 'image/gif' });
      await expectStored(res, png, { mimeType: 'image/png', extension: 'png' });
    });
  });

  describe('the bytes', () => {
    it('PNG bytes named .jpg → 415 CONTENT_TYPE_MISMATCH', async () => {
      await expectRejected(await upload(t, user, png, 'photo.jpg'), 415, 'CONTENT_TYPE_MISMATCH');
    });

    it('JPEG bytes named .gif → 415 CONTENT_TYPE_MISMATCH', async () => {
      await expectRejected(await upload(t, user, jpeg, 'anim.gif'), 415, 'CONTENT_TYPE_MISMATCH');
    });

    it('text named .png → 415 UNSUPPORTED_FILE_TYPE', async () => {
      await expectRejected(await upload(t, user, PLAIN_TEXT, 'fake.png'), 415, 'UNSUPPORTED_FILE_TYPE');
    });

    it('an SVG named .png → 415 UNSUPPORTED_FILE_TYPE', async () => {
      await expectRejected(await upload(t, user, SVG_WITH_SCRIPT, 'vector.png'), 415, 'UNSUPPORTED_FILE_TYPE');
    });

    it('a file shorter than any signature → 415 UNSUPPORTED_FILE_TYPE', async () => {
      await expectRejected(await upload(t, user, Buffer.from([0xff, 0xd8]), 'tiny.jpg'), 415, 'UNSUPPORTED_FILE_TYPE');
    });

    it("'GIF89a' followed by PHP → 422 IMAGE_CORRUPT", async () => {
      await expectRejected(await upload(t, user, GIF_PHP_POLYGLOT, 'shell.gif'), 422, 'IMAGE_CORRUPT');
    });

    it('a JPEG cut at 60% → 422 IMAGE_CORRUPT', async () => {
      const big = await makeImage('jpeg', 256, 192);
      await expectRejected(await upload(t, user, truncated(big, 0.6), 'cut.jpg'), 422, 'IMAGE_CORRUPT');
    });

    it('a PNG cut at 60% → 422 IMAGE_CORRUPT', async () => {
      const big = await makeImage('png', 256, 192);
      await expectRejected(await upload(t, user, truncated(big, 0.6), 'cut.png'), 422, 'IMAGE_CORRUPT');
    });

    it('a WebP cut at 60% → 422 IMAGE_CORRUPT', async () => {
      const big = await makeImage('webp', 256, 192);
      await expectRejected(await upload(t, user, truncated(big, 0.6), 'cut.webp'), 422, 'IMAGE_CORRUPT');
    });

    it('a PNG whose zlib stream is broken (CRCs valid) → 422 IMAGE_CORRUPT', async () => {
      await expectRejected(await upload(t, user, await pngWithBrokenZlib(), 'zlib.png'), 422, 'IMAGE_CORRUPT');
    });

    it('a PNG whose header claims 30000×30000 → 422 IMAGE_DIMENSIONS_TOO_LARGE', async () => {
      const res = await upload(t, user, pngWithClaimedSize(30000, 30000), 'huge.png');
      await expectRejected(res, 422, 'IMAGE_DIMENSIONS_TOO_LARGE');
    });

    it('each format that decodes is accepted with its dimensions', async () => {
      for (const format of ['jpeg', 'png', 'gif', 'webp'] as const) {
        before = await leftovers(t);
        const file = await makeImage(format, 33, 17);
        const ext = format === 'jpeg' ? 'jpg' : format;
        const res = await upload(t, user, file, `f.${ext}`);
        await expectStored(res, file, { mimeType: `image/${format}`, extension: ext, width: 33, height: 17 });
      }
    });
  });

  describe('the filename', () => {
    it('../../../etc/passwd.png → 201 as passwd.png, stored only as images/<uuid>', async () => {
      const res = await postMultipart(t, user, [{ name: 'file', filename: '../../../etc/passwd.png', body: png }]);
      await expectStored(res, png, { filename: 'passwd.png', mimeType: 'image/png' });
    });

    it('a Windows path C:\\Users\\x\\..\\photo.png → photo.png', async () => {
      const res = await postMultipart(t, user, [{ name: 'file', filename: 'C:\\\\Users\\\\x\\\\..\\\\photo.png', body: png }]);
      await expectStored(res, png, { filename: 'photo.png' });
    });

    it('quotes, CR/LF and non-ASCII are sanitised, UTF-8 kept, and served with filename*= plus an ASCII fallback', async () => {
      const raw = 'naïve "quote"\r\n名前.png';
      const rawParams = `; filename*=UTF-8''${encodeURIComponent(raw)}`;
      const res = await postMultipart(t, user, [{ name: 'file', rawParams, body: png }]);
      const image = await expectStored(res, png, { filename: 'naïve "quote"名前.png' });

      const dl = await t.http.get(image.url).set(user.auth);
      expect(dl.status).toBe(200);
      const disposition: string = dl.headers['content-disposition'];
      expect(disposition).toMatch(/^inline;/);
      expect(disposition).toContain(`filename*=UTF-8''${encodeRfc5987('naïve "quote"名前.png')}`);
      const fallback = /filename="((?:[^"\\]|\\.)*)"/.exec(disposition);
      expect(fallback).not.toBeNull();
      expect(fallback![1]).toMatch(/^[\x20-\x7e]+$/);
      expect(disposition).not.toMatch(/[\r\n]/);
    });

    it('raw UTF-8 in filename="…" is kept as UTF-8', async () => {
      const res = await postMultipart(t, user, [{ name: 'file', filename: 'Ünïcödé 写真.png', body: png }]);
      await expectStored(res, png, { filename: 'Ünïcödé 写真.png' });
    });

    it('a name longer than 255 bytes is cut to 255 bytes, keeping its extension', async () => {
      const res = await postMultipart(t, user, [{ name: 'file', filename: `${'é'.repeat(300)}.png`, body: png }]);
      const image = await expectStored(res, png, {});
      expect(Buffer.byteLength(image.filename)).toBeLessThanOrEqual(255);
      expect(image.filename).toMatch(/^é+\.png$/);
    });
  });

  describe('the result', () => {
    it('the alias POST /upload works the same: 201, Location, Image', async () => {
      const res = await upload(t, user, jpeg, 'legacy.jpg', '/upload');
      await expectStored(res, jpeg, { filename: 'legacy.jpg', mimeType: 'image/jpeg', url: `/images/${res.body.data?.id}/content` });
    });

    it('the alias POST /upload rejects the same way', async () => {
      await expectRejected(await upload(t, user, png, 'photo.jpg', '/upload'), 415, 'CONTENT_TYPE_MISMATCH');
      await expectRejected(await t.http.post('/upload').set(user.auth).field('x', 'y'), 400, 'FILE_REQUIRED');
    });

    it('the same bytes twice make two images', async () => {
      const a = await upload(t, user, jpeg, 'twice.jpg');
      const b = await upload(t, user, jpeg, 'twice.jpg');
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(a.body.data.id).not.toBe(b.body.data.id);
      expect(a.body.data.checksum).toBe(b.body.data.checksum);
      const now = await leftovers(t);
      expect(now.files).toEqual(expect.arrayContaining([`images/${a.body.data.id}`, `images/${b.body.data.id}`]));
      expect(now.rows).toBe(before.rows + 2);
    });

    it('50 concurrent uploads by two users → all 201, right totals, exactly one file per image', async () => {
      const other = await registerUser(t);
      const users = [user, other];
      const totals = await Promise.all(
        users.map((u) =>
          t.http
            .get('/images?limit=1')
            .set(u.auth)
            .then((r) => r.body.meta.total as number),
        ),
      );
      const files = await Promise.all(Array.from({ length: 50 }, (_, i) => makeImage(i % 2 ? 'png' : 'jpeg', 20 + i, 10 + i)));
      const responses = await Promise.all(
        files.map((file, i) => upload(t, users[i % 2], file, `concurrent-${i}.${i % 2 ? 'png' : 'jpg'}`)),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
      responses.forEach((r, i) =>
        expect(r.body.data).toMatchObject({ ownerId: users[i % 2].id, width: 20 + i, height: 10 + i, size: files[i].length }),
      );
      const after = await Promise.all(
        users.map((u) =>
          t.http
            .get('/images?limit=1')
            .set(u.auth)
            .then((r) => r.body.meta.total as number),
        ),
      );
      expect(after).toEqual([totals[0] + 25, totals[1] + 25]);
      const ids = responses.map((r) => `images/${r.body.data.id}`);
      expect(new Set(ids).size).toBe(50);
      await expect(leftovers(t)).resolves.toEqual({ files: [...before.files, ...ids].sort(), rows: before.rows + 50 });
    });
  });

  describe('failures half-way', () => {
    it('a client that disconnects mid-upload leaves no file (tmp/) and no row', async () => {
      const port = await listeningPort(t);
      const big = Buffer.concat([await makeImage('png', 256, 256), Buffer.alloc(2 * 1024 * 1024, 7)]);
      const { body, contentType } = multipart([{ name: 'file', filename: 'aborted.png', body: big }]);
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/images',
        headers: { ...user.auth, 'Content-Type': contentType, 'Content-Length': body.length },
      });
      req.on('error', () => undefined);
      try {
        await new Promise<void>((ok) => req.write(body.subarray(0, Math.floor(body.length / 2)), () => ok()));
        // Give the server time to stream the first half into storage (S3 shows nothing until it completes).
        await new Promise((r) => setTimeout(r, 300));
        // On local disk the half-written temporary file is visible: proof that the abort is mid-upload.
        if (!t.s3) expect((await leftovers(t)).files.filter((f) => f.startsWith('tmp/'))).toHaveLength(1);
      } finally {
        req.destroy();
      }
      await eventually(async () => expect(await leftovers(t)).toEqual(before));
    });

    it('a database failure after the bytes are stored → 5xx problem+json, and no file is kept', async () => {
      await t.dataSource.query('ALTER TABLE images RENAME TO images_unavailable');
      let res: Response;
      try {
        res = await upload(t, user, jpeg, 'db-down.jpg');
      } finally {
        await t.dataSource.query('ALTER TABLE images_unavailable RENAME TO images');
      }
      expect(res.status).toBeGreaterThanOrEqual(500);
      expectProblem(res, res.status, res.body.code);
      await expect(leftovers(t)).resolves.toEqual(before);
    });
  });
});

describe('POST /images — MAX_CONTENT_LENGTH=64KB', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_CONTENT_LENGTH: '64KB' } });
    user = await registerUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a file of exactly 64KB → 201', async () => {
    const file = await pngOfExactSize(64 * KB);
    expect(file.length).toBe(65536);
    const res = await upload(t, user, file, 'exact.png');
    expect(res.status).toBe(201);
    expect(res.body.data.size).toBe(65536);
  });

  it('64KB + 1 byte → 413 FILE_TOO_LARGE, nothing kept', async () => {
    const before = await leftovers(t);
    const res = await upload(t, user, await pngOfExactSize(64 * KB + 1), 'over.png');
    expectProblem(res, 413, 'FILE_TOO_LARGE');
    await expect(leftovers(t)).resolves.toEqual(before);
  });

  it('far over the limit (2MB) → 413 FILE_TOO_LARGE, nothing kept', async () => {
    const before = await leftovers(t);
    const res = await upload(t, user, Buffer.concat([await makeImage('png'), Buffer.alloc(2 * 1024 * KB)]), 'way-over.png');
    expectProblem(res, 413, 'FILE_TOO_LARGE');
    await expect(leftovers(t)).resolves.toEqual(before);
  });
});

/** RFC 5987 ext-value encoding, as content-disposition produces it. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
