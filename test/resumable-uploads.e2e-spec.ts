import { PLAIN_TEXT, pngOfExactSize, truncated } from './support/bad-images';
import { binary } from './support/binary';
import { makeImage } from './support/images';
import { ManualClock } from './support/manual-clock';
import { expectNoInternals, expectProblem } from './support/problem-details';
import { createTestApp, TestApp } from './support/test-app';
import { eventually, Leftovers, leftovers, uploadImage } from './support/uploads';
import { expectHeadProblem, resumableRows, sha256, TUS, tusCreate, tusHead, tusPatch, tusUpload } from './support/tus';
import { registerUser, TestUser } from './support/users';
import { StorageReconciler } from '../src/images/reconcile/storage-reconciler';
import { TusUploadsService } from '../src/uploads/tus-uploads.service';

const MB = 1024 * 1024;
const UPLOAD_PATH = /^\/uploads\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('resumable uploads (tus 1.0.0 on /uploads)', () => {
  let t: TestApp;
  let clock: ManualClock;
  let user: TestUser;
  let before: Leftovers;

  beforeAll(async () => {
    clock = new ManualClock();
    t = await createTestApp({ clock, env: { MAX_CONTENT_LENGTH: '2MB', USER_QUOTA_BYTES: '3MB' } });
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    user = await registerUser(t);
    before = await leftovers(t);
  });

  /** Nothing of any upload is left: no bytes, no tus metadata, no row. */
  async function expectNothingLeft(plusImages = 0): Promise<void> {
    await eventually(async () => {
      const now = await leftovers(t);
      expect(now.rows).toBe(before.rows + plusImages);
      expect(now.files.filter((f) => !f.startsWith('images/'))).toEqual(before.files.filter((f) => !f.startsWith('images/')));
    });
    expect(await resumableRows(t)).toBe(0);
  }

  it('OPTIONS advertises the version, the extensions and MAX_CONTENT_LENGTH, without a token', async () => {
    const res = await t.http.options('/uploads').expect(204);
    expect(res.headers['tus-version']).toBe('1.0.0');
    expect(res.headers['tus-extension']!.split(',').sort()).toEqual(['creation', 'creation-with-upload', 'expiration', 'termination']);
    expect(res.headers['tus-max-size']).toBe(String(2 * MB));
  });

  it('creates, reports the offset, appends in chunks and turns the last byte into an image', async () => {
    const png = await makeImage('png', 300, 200);
    const created = await tusCreate(t, user, png.length, 'chunks.png').expect(201);
    expect(created.headers.location).toMatch(UPLOAD_PATH);
    expect(created.headers['tus-resumable']).toBe('1.0.0');
    expect(new Date(created.headers['upload-expires']!).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(created.headers['x-request-id']).toBeTruthy();
    const location = created.headers.location as string;
    expect((await tusHead(t, user, location).expect(200)).headers['upload-offset']).toBe('0');

    const half = Math.floor(png.length / 2);
    const first = await tusPatch(t, user, location, 0, png.subarray(0, half)).expect(204);
    expect(first.headers['upload-offset']).toBe(String(half));
    expect(first.headers['upload-expires']).toBeTruthy();
    expect(first.headers['image-location']).toBeUndefined();
    expect((await tusHead(t, user, location).expect(200)).headers['upload-offset']).toBe(String(half));

    const conflict = await tusPatch(t, user, location, 0, png.subarray(0, 10));
    expectProblem(conflict, 409, 'UPLOAD_OFFSET_MISMATCH');

    const last = await tusPatch(t, user, location, half, png.subarray(half)).expect(204);
    expect(last.headers['upload-offset']).toBe(String(png.length));
    const imageLocation = last.headers['image-location'] as string;
    expect(imageLocation).toMatch(/^\/images\/[0-9a-f-]{36}$/);
    const image = await t.http.get(imageLocation).set(user.auth).expect(200);
    expect(image.body.data).toMatchObject({ filename: 'chunks.png', mimeType: 'image/png', size: png.length, width: 300, height: 200 });
    expect(image.body.data.checksum).toBe(sha256(png));
    const content = await t.http.get(`${imageLocation}/content`).set(user.auth).buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(content.body as Buffer, png)).toBe(0);

    expectHeadProblem(await tusHead(t, user, location), 404);
    await expectNothingLeft(1);
  });

  it('creation-with-upload: a POST with the whole file answers 201 with Image-Location', async () => {
    const jpeg = await makeImage('jpeg', 64, 48);
    const res = await tusCreate(t, user, jpeg.length, 'whole.jpg', jpeg).expect(201);
    expect(res.headers['upload-offset']).toBe(String(jpeg.length));
    const id = (res.headers['image-location'] as string).split('/').pop();
    const list = await t.http.get('/images').set(user.auth).expect(200);
    expect(list.body.data.map((i: { id: string }) => i.id)).toEqual([id]);
    await expectNothingLeft(1);
  });

  it('creation-with-upload: a first chunk in the POST, the rest by PATCH', async () => {
    const webp = await makeImage('webp', 120, 90);
    const created = await tusCreate(t, user, webp.length, 'first.webp', webp.subarray(0, 100)).expect(201);
    expect(created.headers['upload-offset']).toBe('100');
    const last = await tusPatch(t, user, created.headers.location as string, 100, webp.subarray(100)).expect(204);
    expect(last.headers['image-location']).toMatch(/^\/images\//);
    await expectNothingLeft(1);
  });

  it('needs a bearer token on POST, HEAD, PATCH and DELETE (401 problem, WWW-Authenticate)', async () => {
    const created = await tusCreate(t, user, 100, 'a.png').expect(201);
    const location = created.headers.location as string;
    const answers = [
      await t.http.post('/uploads').set(TUS).set('Upload-Length', '100'),
      await t.http.head(location).set(TUS),
      await t.http
        .patch(location)
        .set(TUS)
        .set('Upload-Offset', '0')
        .set('Content-Type', 'application/offset+octet-stream')
        .send(Buffer.alloc(10)),
      await t.http.delete(location).set(TUS),
    ];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expectProblem(answers[0], 401, 'UNAUTHORIZED');
    await t.http.delete(location).set(user.auth).set(TUS).expect(204);
  });

  it("another user's upload is a 404 on HEAD, PATCH and DELETE, and stays the owner's", async () => {
    const other = await registerUser(t);
    const png = await makeImage('png', 40, 30);
    const created = await tusCreate(t, user, png.length, 'mine.png').expect(201);
    const location = created.headers.location as string;
    expectHeadProblem(await tusHead(t, other, location), 404);
    expectProblem(await tusPatch(t, other, location, 0, png), 404, 'UPLOAD_NOT_FOUND');
    expectProblem(await t.http.delete(location).set(other.auth).set(TUS), 404, 'UPLOAD_NOT_FOUND');
    expect((await tusHead(t, user, location).expect(200)).headers['upload-offset']).toBe('0');
    await tusPatch(t, user, location, 0, png).expect(204);
    await expectNothingLeft(1);
  });

  it('Upload-Length over MAX_CONTENT_LENGTH: 413 FILE_TOO_LARGE before any byte is stored', async () => {
    const res = await tusCreate(t, user, 2 * MB + 1, 'big.png', Buffer.alloc(1024));
    expectProblem(res, 413, 'FILE_TOO_LARGE');
    expectNoInternals(res.text);
    await expectNothingLeft();
  });

  it("Upload-Length past the owner's quota: 413 QUOTA_EXCEEDED before any byte is stored", async () => {
    await uploadImage(t, user, await pngOfExactSize(1.5 * MB), 'first.png');
    const refused = await tusCreate(t, user, 1.5 * MB + 1, 'over.png', Buffer.alloc(1024));
    expectProblem(refused, 413, 'QUOTA_EXCEEDED');
    await expectNothingLeft(1);
    const fits = await tusCreate(t, user, 1.5 * MB, 'fits.png').expect(201);
    await t.http
      .delete(fits.headers.location as string)
      .set(user.auth)
      .set(TUS)
      .expect(204);
  });

  it('a filename with an extension that is not accepted: 415 at creation', async () => {
    expectProblem(await tusCreate(t, user, 100, 'tool.exe'), 415, 'UNSUPPORTED_FILE_TYPE');
    expectProblem(await tusCreate(t, user, 100, ''), 415, 'UNSUPPORTED_FILE_TYPE');
    await expectNothingLeft();
  });

  it('bytes that are no image: the completing PATCH answers 415, and nothing of the upload remains', async () => {
    const { res, location } = await tusUpload(t, user, PLAIN_TEXT, 'note.png', 10);
    expectProblem(res, 415, 'UNSUPPORTED_FILE_TYPE');
    expectHeadProblem(await tusHead(t, user, location), 404);
    await expectNothingLeft();
  });

  it('a truncated image: the completing PATCH answers 422 IMAGE_CORRUPT, and nothing remains', async () => {
    const broken = truncated(await makeImage('png', 200, 200), 0.6);
    const { res } = await tusUpload(t, user, broken, 'cut.png', 4096);
    expectProblem(res, 422, 'IMAGE_CORRUPT');
    await expectNothingLeft();
  });

  it('DELETE ends an upload and removes its bytes (termination)', async () => {
    const png = await makeImage('png', 100, 100);
    const created = await tusCreate(t, user, png.length, 'gone.png').expect(201);
    const location = created.headers.location as string;
    await tusPatch(t, user, location, 0, png.subarray(0, 50)).expect(204);
    const res = await t.http.delete(location).set(user.auth).set(TUS).expect(204);
    expect(res.headers['tus-resumable']).toBe('1.0.0');
    expectHeadProblem(await tusHead(t, user, location), 404);
    await expectNothingLeft();
  });

  it('protocol errors are problems too: no Tus-Resumable (412), no Upload-Length (400), a malformed id (400)', async () => {
    expectProblem(await t.http.post('/uploads').set(user.auth).set('Upload-Length', '10'), 412, 'TUS_VERSION_UNSUPPORTED');
    expectProblem(await t.http.post('/uploads').set(user.auth).set(TUS).set('Upload-Defer-Length', '1'), 400, 'VALIDATION_FAILED');
    expectHeadProblem(await tusHead(t, user, '/uploads/not-a-uuid'), 400);
    expectHeadProblem(await tusHead(t, user, '/uploads/00000000-0000-4000-8000-000000000000'), 404);
    await expectNothingLeft();
  });

  it('uploads in progress count in the reconciler report; past RESUMABLE_UPLOAD_EXPIRY they are removed', async () => {
    const png = await makeImage('png', 100, 100);
    const created = await tusCreate(t, user, png.length, 'stale.png').expect(201);
    const location = created.headers.location as string;
    await tusPatch(t, user, location, 0, png.subarray(0, 77)).expect(204);
    const reconciler = t.app.get(StorageReconciler);
    const live = await reconciler.reconcile({ apply: true, graceMs: 0 });
    expect(live.resumable).toEqual({ uploads: 1, bytes: 77, expired: 0 });
    expect([...live.orphans, ...live.staleTemporary]).toEqual([]);
    expect((await tusHead(t, user, location).expect(200)).headers['upload-offset']).toBe('77');

    clock.advance(24 * 3600 + 1);
    expectHeadProblem(await tusHead(t, user, location), 404);
    const dry = await reconciler.reconcile({ apply: false, graceMs: 0 });
    expect(dry.resumable).toEqual({ uploads: 0, bytes: 0, expired: 1 });
    // What the periodic job runs.
    await expect(t.app.get(TusUploadsService).removeExpired()).resolves.toBe(1);
    await expectNothingLeft();
  });

  it('`storage:reconcile --apply` removes an expired upload too', async () => {
    const created = await tusCreate(t, user, 1000, 'later.png').expect(201);
    await tusPatch(t, user, created.headers.location as string, 0, Buffer.alloc(10)).expect(204);
    clock.advance(24 * 3600 + 1);
    const report = await t.app.get(StorageReconciler).reconcile({ apply: true, graceMs: 0 });
    expect(report.resumable.expired).toBe(1);
    await expectNothingLeft();
  });
});

describe('RESUMABLE_UPLOAD_EXPIRY=1s: the periodic job removes an abandoned upload', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { RESUMABLE_UPLOAD_EXPIRY: '1s' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('is gone (bytes, metadata, row) without anyone asking', async () => {
    const user = await registerUser(t);
    const before = await leftovers(t);
    const created = await tusCreate(t, user, 1000, 'abandoned.png').expect(201);
    await tusPatch(t, user, created.headers.location as string, 0, Buffer.alloc(100)).expect(204);
    expect((await leftovers(t)).files.length).toBeGreaterThan(before.files.length);
    await eventually(
      async () => {
        expect(await resumableRows(t)).toBe(0);
        expect(await leftovers(t)).toEqual(before);
      },
      15_000,
      200,
    );
  });
});
