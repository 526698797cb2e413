import { createHash, randomUUID } from 'node:crypto';
import { makeImage } from './support/images';
import { expectProblem, isUuid } from './support/problem-details';
import { createTestApp, TestApp } from './support/test-app';
import { testEngine } from './support/test-database';
import { binary } from './support/binary';
import { ImageBody, leftovers, uploadImage } from './support/uploads';
import { login, registerUser, TestUser } from './support/users';

const ADMIN = { email: 'admin-read@example.com', password: 'admin password 123' };

describe('reading and deleting images', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;
  let jpeg: Buffer;
  let image: ImageBody;

  beforeAll(async () => {
    t = await createTestApp({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } });
    [alice, bob] = [await registerUser(t), await registerUser(t)];
    const adminLogin = await login(t, ADMIN.email, ADMIN.password);
    admin = { ...adminLogin, id: (await t.http.get('/auth/me').set(adminLogin.auth)).body.data.id };
    jpeg = await makeImage('jpeg', 80, 60);
    image = await uploadImage(t, alice, jpeg, 'Holiday Photo.jpg');
  });
  afterAll(async () => {
    await t.close();
  });

  const download = (path: string, user: TestUser) => t.http.get(path).set(user.auth).buffer(true).parse(binary);

  describe('GET /images/{id} and GET /image/{id}', () => {
    it.each(['/images', '/image'])('%s/{id} answers the Image shape', async (prefix) => {
      const res = await t.http.get(`${prefix}/${image.id}`).set(alice.auth).expect(200);
      const data = res.body.data;
      expect(Object.keys(data).sort()).toEqual(
        [
          ...['checksum', 'extension', 'filename', 'height', 'id', 'mimeType', 'ownerId', 'size', 'uploadedAt', 'url', 'width'],
          ...['alt', 'focalPoint', 'thumbhash', 'dominantColor', 'takenAt', 'camera', 'animated', 'frames'],
        ].sort(),
      );
      expect(data).toEqual({
        id: image.id,
        filename: 'Holiday Photo.jpg',
        mimeType: 'image/jpeg',
        extension: 'jpg',
        size: jpeg.length,
        width: 80,
        height: 60,
        checksum: createHash('sha256').update(jpeg).digest('hex'),
        uploadedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        ownerId: alice.id,
        url: `/images/${image.id}/content`,
        alt: null,
        focalPoint: null,
        thumbhash: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
        dominantColor: expect.stringMatching(/^#[0-9a-f]{6}$/),
        takenAt: null,
        camera: null,
        animated: false,
        frames: 1,
      });
      expect(isUuid(data.id)).toBe(true);
      expect(Math.abs(Date.parse(data.uploadedAt) - Date.now())).toBeLessThan(60_000);
    });

    it.each([
      ['GET', '/images/ID'],
      ['GET', '/image/ID'],
      ['GET', '/images/ID/content'],
      ['DELETE', '/images/ID'],
      ['DELETE', '/image/ID'],
    ])("another user's image: %s %s → 404 IMAGE_NOT_FOUND, exactly like a missing one", async (method, path) => {
      const send = (id: string) =>
        (method === 'GET' ? t.http.get(path.replace('ID', id)) : t.http.delete(path.replace('ID', id))).set(bob.auth);
      const theirs = await send(image.id);
      const missing = await send(randomUUID());
      expectProblem(theirs, 404, 'IMAGE_NOT_FOUND');
      expectProblem(missing, 404, 'IMAGE_NOT_FOUND');
      expect(theirs.body.detail).toBe(missing.body.detail);
      await t.http.get(`/images/${image.id}`).set(alice.auth).expect(200);
    });

    it.each(['/images/not-a-uuid', '/image/123', '/images/123/content', '/images/%27%20OR%201=1'])('GET %s → 400', async (path) => {
      expectProblem(await t.http.get(path).set(alice.auth), 400, 'VALIDATION_FAILED');
    });

    it.each(['/images/not-a-uuid', '/image/123'])('DELETE %s → 400', async (path) => {
      expectProblem(await t.http.delete(path).set(alice.auth), 400, 'VALIDATION_FAILED');
    });

    it('without a token → 401', async () => {
      expectProblem(await t.http.get(`/images/${image.id}`), 401, 'UNAUTHORIZED');
      expectProblem(await t.http.get(`/images/${image.id}/content`), 401, 'UNAUTHORIZED');
    });

    it('an admin sees anyone’s image, metadata and content', async () => {
      const res = await t.http.get(`/images/${image.id}`).set(admin.auth).expect(200);
      expect(res.body.data.ownerId).toBe(alice.id);
      const dl = await download(`/images/${image.id}/content`, admin);
      expect(dl.status).toBe(200);
      expect(Buffer.compare(dl.body, jpeg)).toBe(0);
    });
  });

  describe('GET /images/{id}/content', () => {
    const content = () => `/images/${image.id}/content`;

    it('streams the bytes with the contract’s headers', async () => {
      const res = await download(content(), alice);
      expect(res.status).toBe(200);
      expect(Buffer.compare(res.body, jpeg)).toBe(0);
      expect(res.headers['content-type']).toBe('image/jpeg');
      expect(res.headers['content-length']).toBe(String(jpeg.length));
      expect(res.headers.etag).toBe(`"${image.checksum}"`);
      expect(new Date(res.headers['last-modified']).getTime()).toBe(Math.floor(Date.parse(image.uploadedAt) / 1000) * 1000);
      expect(res.headers['cache-control']).toMatch(/\bprivate\b/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-disposition']).toBe('inline; filename="Holiday Photo.jpg"');
      expect(res.headers['accept-ranges']).toBe('bytes');
    });

    it('?download=true → attachment', async () => {
      const res = await download(`${content()}?download=true`, alice);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toBe('attachment; filename="Holiday Photo.jpg"');
    });

    it('?download=maybe → 400', async () => {
      expectProblem(await t.http.get(`${content()}?download=maybe`).set(alice.auth), 400, 'VALIDATION_FAILED');
    });

    it('If-None-Match with the ETag → 304 with no body', async () => {
      const res = await download(content(), alice).set('If-None-Match', `"${image.checksum}"`);
      expect(res.status).toBe(304);
      expect(res.body.length).toBe(0);
      expect(res.headers.etag).toBe(`"${image.checksum}"`);
    });

    it('If-None-Match with another ETag → 200', async () => {
      const res = await download(content(), alice).set('If-None-Match', '"something-else"');
      expect(res.status).toBe(200);
      expect(res.body.length).toBe(jpeg.length);
    });

    it('Range bytes=0-9 → 206, Content-Range and the first 10 bytes', async () => {
      const res = await download(content(), alice).set('Range', 'bytes=0-9');
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes 0-9/${jpeg.length}`);
      expect(res.headers['content-length']).toBe('10');
      expect(Buffer.compare(res.body, jpeg.subarray(0, 10))).toBe(0);
    });

    it('Range bytes=100-199 → the slice in the middle', async () => {
      const res = await download(content(), alice).set('Range', 'bytes=100-199');
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes 100-199/${jpeg.length}`);
      expect(Buffer.compare(res.body, jpeg.subarray(100, 200))).toBe(0);
    });

    it('Range bytes=-5 (suffix) → the last 5 bytes', async () => {
      const res = await download(content(), alice).set('Range', 'bytes=-5');
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${jpeg.length - 5}-${jpeg.length - 1}/${jpeg.length}`);
      expect(Buffer.compare(res.body, jpeg.subarray(jpeg.length - 5))).toBe(0);
    });

    it('an unsatisfiable Range bytes=999999- → 416 problem+json with Content-Range: bytes */size', async () => {
      const res = await t.http.get(content()).set(alice.auth).set('Range', 'bytes=999999-');
      expectProblem(res, 416, 'RANGE_NOT_SATISFIABLE');
      expect(res.headers['content-range']).toBe(`bytes */${jpeg.length}`);
    });
  });

  describe('GET /images — listing', () => {
    let carol: TestUser;
    let carols: ImageBody[];

    beforeAll(async () => {
      carol = await registerUser(t);
      const specs: Array<[string, 'jpeg' | 'png' | 'gif' | 'webp', number]> = [
        ['Beach.JPG', 'jpeg', 10],
        ['beach-2.png', 'png', 30],
        ['city.gif', 'gif', 20],
        ['100%_done.webp', 'webp', 40],
        ['100x_done.png', 'png', 25],
        ['under_score.jpg', 'jpeg', 15],
        ['underXscore.jpg', 'jpeg', 35],
      ];
      carols = [];
      // One at a time, so uploadedAt orders them as listed.
      for (const [name, format, side] of specs) {
        carols.push(await uploadImage(t, carol, await makeImage(format, side, side), name));
        await new Promise((r) => setTimeout(r, 5));
      }
    });

    const list = (query: string, user = carol) => t.http.get(`/images${query}`).set(user.auth);
    const names = (res: { body: { data: Array<{ filename: string }> } }) => res.body.data.map((i) => i.filename);

    it('lists only the caller’s images, newest first, with meta', async () => {
      const res = await list('').expect(200);
      expect(res.body.meta).toEqual({ page: 1, limit: 20, total: 7, totalPages: 1 });
      expect(names(res)).toEqual(carols.map((i) => i.filename).reverse());
      expect(res.body.data.every((i: { ownerId: string }) => i.ownerId === carol.id)).toBe(true);
    });

    it('paginates: page, limit, total, totalPages', async () => {
      const pages = await Promise.all([1, 2, 3, 4].map((page) => list(`?limit=2&page=${page}&sort=uploadedAt&order=asc`).expect(200)));
      expect(pages.map((p) => p.body.meta)).toEqual([1, 2, 3, 4].map((page) => ({ page, limit: 2, total: 7, totalPages: 4 })));
      expect(pages.flatMap(names)).toEqual(carols.map((i) => i.filename));
      expect(pages[3].body.data).toHaveLength(1);
    });

    it('a page past the end is empty, with the right meta', async () => {
      const res = await list('?page=9&limit=5').expect(200);
      expect(res.body).toEqual({ data: [], meta: { page: 9, limit: 5, total: 7, totalPages: 2 } });
    });

    it.each([
      ['uploadedAt', 'asc'],
      ['uploadedAt', 'desc'],
      ['size', 'asc'],
      ['size', 'desc'],
      ['filename', 'asc'],
      ['filename', 'desc'],
    ] as const)('sort=%s&order=%s', async (sort, order) => {
      const res = await list(`?sort=${sort}&order=${order}`).expect(200);
      // Filenames sort in the column's collation: binary on SQLite, case-insensitive utf8mb4_unicode_ci on MariaDB.
      const filenameKey = (name: string) => (testEngine() === 'mysql' ? name.toLowerCase() : name);
      const key = (i: ImageBody) => (sort === 'uploadedAt' ? Date.parse(i.uploadedAt) : sort === 'size' ? i.size : filenameKey(i.filename));
      const values = res.body.data.map(key);
      const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(values).toEqual(order === 'asc' ? sorted : sorted.reverse());
      expect(values).toHaveLength(7);
    });

    it('mimeType filter', async () => {
      const res = await list('?mimeType=image/png').expect(200);
      expect(names(res).sort()).toEqual(['100x_done.png', 'beach-2.png']);
      expect(res.body.meta.total).toBe(2);
    });

    it.each(['image/svg+xml', 'text/html', 'png'])('mimeType=%s → 400', async (mimeType) => {
      expectProblem(await list(`?mimeType=${encodeURIComponent(mimeType)}`), 400, 'VALIDATION_FAILED');
    });

    it('q is a case-insensitive contains', async () => {
      const res = await list('?q=BEACH').expect(200);
      expect(names(res).sort()).toEqual(['Beach.JPG', 'beach-2.png']);
    });

    it('q treats % and _ literally', async () => {
      expect(names(await list(`?q=${encodeURIComponent('100%')}`).expect(200))).toEqual(['100%_done.webp']);
      expect(names(await list(`?q=${encodeURIComponent('%')}`).expect(200))).toEqual(['100%_done.webp']);
      expect(names(await list('?q=r_s').expect(200))).toEqual(['under_score.jpg']);
      expect(names(await list('?q=_').expect(200)).sort()).toEqual(['100%_done.webp', '100x_done.png', 'under_score.jpg']);
      expect(names(await list(`?q=${encodeURIComponent("!'\\")}`).expect(200))).toEqual([]);
    });

    it.each(['limit=101', 'limit=0', 'page=0', 'page=x', 'sort=id', 'order=up', 'ownerId=not-a-uuid'])('?%s → 400', async (query) => {
      expectProblem(await list(`?${query}`), 400, 'VALIDATION_FAILED');
    });

    it('limit=100 is allowed', async () => {
      expect((await list('?limit=100').expect(200)).body.meta.limit).toBe(100);
    });

    it('a non-admin asking for another owner → 403 FORBIDDEN; for themself → 200', async () => {
      expectProblem(await list(`?ownerId=${alice.id}`), 403, 'FORBIDDEN');
      expect((await list(`?ownerId=${carol.id}`).expect(200)).body.meta.total).toBe(7);
    });

    it('an admin lists everyone’s, or one owner’s with ?ownerId=', async () => {
      const all = await list('?limit=100', admin).expect(200);
      const owners = new Set(all.body.data.map((i: { ownerId: string }) => i.ownerId));
      expect(owners).toEqual(new Set([alice.id, carol.id]));
      expect(all.body.meta.total).toBe(all.body.data.length);
      const carolsOnly = await list(`?ownerId=${carol.id}&limit=100`, admin).expect(200);
      expect(carolsOnly.body.meta.total).toBe(7);
      expect(carolsOnly.body.data.every((i: { ownerId: string }) => i.ownerId === carol.id)).toBe(true);
      expect((await list(`?ownerId=${randomUUID()}`, admin).expect(200)).body.meta.total).toBe(0);
    });
  });

  describe('DELETE', () => {
    it.each(['/images', '/image'])('DELETE %s/{id} → 204, then 404; the row and the file are gone', async (prefix) => {
      const victim = await uploadImage(t, alice, await makeImage('png', 12, 12), 'victim.png');
      const before = await leftovers(t);
      const res = await t.http.delete(`${prefix}/${victim.id}`).set(alice.auth);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectProblem(await t.http.get(`/images/${victim.id}`).set(alice.auth), 404, 'IMAGE_NOT_FOUND');
      expectProblem(await t.http.get(`/images/${victim.id}/content`).set(alice.auth), 404, 'IMAGE_NOT_FOUND');
      expectProblem(await t.http.delete(`/images/${victim.id}`).set(alice.auth), 404, 'IMAGE_NOT_FOUND');
      await expect(leftovers(t)).resolves.toEqual({
        files: before.files.filter((f) => f !== `images/${victim.id}`),
        rows: before.rows - 1,
      });
    });

    it('DELETE when the file was already removed from storage → still 204, and the row is gone', async () => {
      const victim = await uploadImage(t, alice, await makeImage('png', 12, 12), 'gone.png');
      await t.storage.delete(`images/${victim.id}`);
      const before = await leftovers(t);
      expectProblem(await t.http.get(`/images/${victim.id}/content`).set(alice.auth), 404, 'IMAGE_NOT_FOUND');
      await t.http.delete(`/images/${victim.id}`).set(alice.auth).expect(204);
      await expect(leftovers(t)).resolves.toEqual({ files: before.files, rows: before.rows - 1 });
    });

    it('an admin deletes anyone’s image', async () => {
      const victim = await uploadImage(t, bob, await makeImage('gif', 12, 12), 'bobs.gif');
      await t.http.delete(`/images/${victim.id}`).set(admin.auth).expect(204);
      expectProblem(await t.http.get(`/images/${victim.id}`).set(bob.auth), 404, 'IMAGE_NOT_FOUND');
      await expect(leftovers(t)).resolves.not.toMatchObject({ files: expect.arrayContaining([`images/${victim.id}`]) });
    });
  });
});
